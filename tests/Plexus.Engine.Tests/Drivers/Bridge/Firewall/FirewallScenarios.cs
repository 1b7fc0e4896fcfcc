using System.Net;
using Plexus.Engine.Drivers.Bridge.Firewall;
using Plexus.Kernel.Firewall;

namespace Plexus.Engine.Tests.Drivers.Bridge.Firewall;

/// <summary>The configurations the golden rulesets cover, shared by the nftables and iptables tests.</summary>
internal static class FirewallScenarios
{
    public const string Net1 = "n1aaaaaaaaaa";
    public const string Net2 = "n2bbbbbbbbbb";

    public static IPNetwork V4 { get; } = IPNetwork.Parse("172.18.0.0/16");
    public static IPNetwork V4b { get; } = IPNetwork.Parse("172.19.0.0/16");
    public static IPNetwork V6 { get; } = IPNetwork.Parse("fd00:18::/64");

    public static BridgeRules Network(string tag = Net1, string bridge = "plx-n1", bool icc = true, bool masquerade = true, bool @internal = false, params IPNetwork[] subnets) =>
        new(tag, bridge, subnets.Length == 0 ? [V4] : subnets) { Icc = icc, Masquerade = masquerade, Internal = @internal };

    public static PortMapping Port(string endpoint, string hostPort, string container, int containerPort, TransportProtocol proto = TransportProtocol.Tcp, string network = Net1)
    {
        // hostPort: "8080" or "10.0.0.1:8080" or "[2001:db8::1]:8080"
        IPAddress? hostIP = null;
        var port = hostPort;
        int colon = hostPort.LastIndexOf(':');
        if (colon > 0)
        {
            hostIP = IPAddress.Parse(hostPort[..colon].Trim('[', ']'));
            port = hostPort[(colon + 1)..];
        }
        return new PortMapping(endpoint, network, proto, hostIP, int.Parse(port, System.Globalization.CultureInfo.InvariantCulture), IPAddress.Parse(container), containerPort);
    }

    /// <summary>An endpoint's bridge port "vpx-NAME" with the MAC Plexus derives from its IPv4 address.</summary>
    public static BridgePort EndpointPort(string endpoint, string ipv4, string? ipv6 = null, string network = Net1) =>
        new(endpoint, network, "vpx-" + endpoint[3..], Plexus.Kernel.Types.MacAddress.FromIPv4(IPAddress.Parse(ipv4)), IPAddress.Parse(ipv4), ipv6 is null ? null : IPAddress.Parse(ipv6));

    public static LinkRule Link(string tag, string source, string dest, int port, TransportProtocol proto = TransportProtocol.Tcp, string network = Net1) =>
        new(tag, network, IPAddress.Parse(source), IPAddress.Parse(dest), proto, port);

    /// <summary>Scenario name to state.</summary>
    public static IReadOnlyDictionary<string, FirewallState> All { get; } = new Dictionary<string, FirewallState>
    {
        ["icc-on"] = FirewallState.Create([Network()], [], []),
        ["icc-off-links"] = FirewallState.Create(
            [Network(icc: false)], [],
            [Link("ep-web", "172.18.0.3", "172.18.0.2", 80), Link("ep-web", "172.18.0.3", "172.18.0.2", 53, TransportProtocol.Udp)],
            [EndpointPort("ep-web", "172.18.0.2"), EndpointPort("ep-app", "172.18.0.3")]),
        ["anti-spoofing-off"] = FirewallState.Create(
            [Network(icc: false) with { AntiSpoofing = false }], [], [],
            [EndpointPort("ep-router", "172.18.0.2"), EndpointPort("ep-vrrp", "172.18.0.3")]),
        ["internal"] = FirewallState.Create([Network(@internal: true)], [Port("ep-a", "8080", "172.18.0.2", 80)], []),
        ["masquerade-off"] = FirewallState.Create([Network(masquerade: false)], [], []),
        ["ports"] = FirewallState.Create(
            [Network(subnets: [V4, V6])],
            [
                Port("ep-a", "8080", "172.18.0.2", 80),
                Port("ep-a", "10.0.0.1:8443", "172.18.0.2", 443),
                Port("ep-a", "5353", "172.18.0.2", 53, TransportProtocol.Udp),
                Port("ep-b", "9000", "172.18.0.3", 9000, TransportProtocol.Sctp),
                Port("ep-a", "8080", "fd00:18::2", 80),
                Port("ep-a", "[2001:db8::1]:8443", "fd00:18::2", 443),
            ], []),
        ["ipv6"] = FirewallState.Create(
            [Network(icc: false, subnets: [V4, V6])],
            [Port("ep-a", "[2001:db8::1]:8080", "fd00:18::2", 80)],
            [Link("ep-b", "fd00:18::3", "fd00:18::2", 80)],
            [EndpointPort("ep-a", "172.18.0.2", "fd00:18::2"), EndpointPort("ep-b", "172.18.0.3", "fd00:18::3")]),
        ["port-and-link"] = FirewallState.Create(
            [Network(icc: false)],
            [Port("ep-web", "8080", "172.18.0.2", 80)],
            [Link("ep-app", "172.18.0.3", "172.18.0.2", 80)]),
        ["two-networks"] = FirewallState.Create(
            [Network(), Network(Net2, "plx-n2", icc: false, subnets: [V4b])],
            [Port("ep-a", "8080", "172.18.0.2", 80), Port("ep-c", "8081", "172.19.0.2", 80, network: Net2)], [],
            [EndpointPort("ep-a", "172.18.0.2"), EndpointPort("ep-c", "172.19.0.2", network: Net2)]),
    };

    public static TheoryData<string> Names
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var name in All.Keys) data.Add(name);
            return data;
        }
    }
}
