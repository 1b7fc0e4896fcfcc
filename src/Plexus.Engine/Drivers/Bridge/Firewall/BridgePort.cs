using System.Net;
using System.Net.Sockets;
using Plexus.Kernel.Firewall;
using Plexus.Kernel.Types;

namespace Plexus.Engine.Drivers.Bridge.Firewall;

/// <summary>
/// One endpoint's port on a bridge: the host-side interface and the MAC and addresses the endpoint owns. On a network
/// with <see cref="BridgeRules.AntiSpoofing"/> the port may send only with these (ARP and neighbour advertisements
/// included); on an icc=false network nothing but IP and ARP leaves it for another port. The rules hold no per-port
/// list: a port is a handful of set elements (port . MAC . address), so the per-packet cost is a few hash lookups
/// however many ports there are.
/// </summary>
public sealed record BridgePort
{
    public BridgePort(string tag, string network, string portName, MacAddress mac, IPAddress? ipv4, IPAddress? ipv6)
    {
        Tag = FirewallNames.Tag(tag, "endpoint");
        Network = FirewallNames.Tag(network, "network");
        PortName = FirewallNames.Interface(portName, "bridge port");
        if (mac.IsMulticast || mac.Equals(default(MacAddress)))
            throw new ArgumentException($"bridge port {portName}: {mac} cannot be an endpoint's MAC address (multicast or zero)", nameof(mac));
        Mac = mac;
        if (ipv4 is not null && ipv4.AddressFamily != AddressFamily.InterNetwork)
            throw new ArgumentException($"bridge port {portName}: {ipv4} is not an IPv4 address", nameof(ipv4));
        if (ipv6 is not null && ipv6.AddressFamily != AddressFamily.InterNetworkV6)
            throw new ArgumentException($"bridge port {portName}: {ipv6} is not an IPv6 address", nameof(ipv6));
        IPv4 = ipv4 is null ? null : FirewallNames.Address(ipv4, $"bridge port {portName}: address");
        IPv6 = ipv6 is null ? null : FirewallNames.Address(ipv6, $"bridge port {portName}: address");
    }

    /// <summary>The endpoint's id; its elements carry "ep=TAG".</summary>
    public string Tag { get; }

    /// <summary>The network (its <see cref="BridgeRules.Tag"/>) whose bridge the port is on.</summary>
    public string Network { get; }

    /// <summary>The host side of the endpoint's veth pair, as the bridge sees it. It need not exist yet: rules name it.</summary>
    public string PortName { get; }

    public MacAddress Mac { get; }

    public IPAddress? IPv4 { get; }

    public IPAddress? IPv6 { get; }

    /// <summary>
    /// The IPv6 link-local address the sandbox's kernel derives from <see cref="Mac"/> (modified EUI-64, the default
    /// addr_gen_mode), which it uses for router solicitations, MLD and some neighbour discovery. Only with IPv6.
    /// </summary>
    public IPAddress? LinkLocal => IPv6 is null ? null : LinkLocalOf(Mac);

    public static IPAddress LinkLocalOf(MacAddress mac)
    {
        Span<byte> m = stackalloc byte[6];
        mac.CopyTo(m);
        Span<byte> a = stackalloc byte[16];
        a[0] = 0xfe;
        a[1] = 0x80;
        a[8] = (byte)(m[0] ^ 0x02);
        a[9] = m[1];
        a[10] = m[2];
        a[11] = 0xff;
        a[12] = 0xfe;
        a[13] = m[3];
        a[14] = m[4];
        a[15] = m[5];
        return new IPAddress(a);
    }

    public override string ToString() =>
        $"port {PortName} ({Mac}{(IPv4 is null ? "" : $", {IPv4}")}{(IPv6 is null ? "" : $", {IPv6}")}) of {Tag}";
}
