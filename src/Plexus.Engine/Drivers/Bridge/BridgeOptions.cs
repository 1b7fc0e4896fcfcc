using System.Globalization;
using System.Net;
using Plexus.Engine.Model;

namespace Plexus.Engine.Drivers.Bridge;

/// <summary>The bridge driver's options, parsed from Docker's option keys and checked once.</summary>
public sealed record BridgeOptions
{
    public const string BridgeName = "com.docker.network.bridge.name";
    public const string EnableIcc = "com.docker.network.bridge.enable_icc";
    public const string EnableIPMasquerade = "com.docker.network.bridge.enable_ip_masquerade";
    public const string HostBindingIPv4 = "com.docker.network.bridge.host_binding_ipv4";
    public const string Mtu = "com.docker.network.driver.mtu";

    /// <summary>
    /// Plexus's own (Docker has none): "false" lets a network's sandboxes send with any MAC and address, for
    /// sandboxes that route or share an address (VRRP). By default each bridge port sends only with its endpoint's.
    /// </summary>
    public const string AntiSpoofing = "com.plexus.network.bridge.anti_spoofing";

    /// <summary>Prefix of bridges Plexus names itself; with the veth prefix, how it recognises its own links.</summary>
    public const string DefaultBridgePrefix = "plx-";

    /// <summary>Prefix of host-side veth names: "vpx" + 12 hex of the endpoint id (15 bytes, the kernel's limit).</summary>
    public const string VethPrefix = "vpx";

    public required string Name { get; init; }
    public bool Icc { get; init; } = true;
    public bool IPMasquerade { get; init; } = true;
    public IPAddress? DefaultHostIP { get; init; }
    public int? MtuValue { get; init; }
    public bool AntiSpoofingEnabled { get; init; } = true;

    /// <summary>Daemon-wide defaults that a network's own options override (--icc, --ip-masq, --mtu).</summary>
    public sealed record Defaults(bool Icc = true, bool IPMasquerade = true, int? Mtu = null);

    public static string DefaultNameFor(string networkId) => DefaultBridgePrefix + networkId[..11];

    public static string VethNameFor(string endpointId) => VethPrefix + endpointId[..12];

    public static BridgeOptions Parse(NetworkState network, Defaults defaults)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(defaults);
        var o = network.Options;
        string name = o.TryGetValue(BridgeName, out var n) && n.Length > 0 ? n : DefaultNameFor(network.Id);
        try
        {
            Plexus.Kernel.Rtnl.InterfaceName.Validate(name);
        }
        catch (ArgumentException e)
        {
            throw PlexusException.Invalid($"network {network.Name}: option {BridgeName}: {e.Message}");
        }
        return new BridgeOptions
        {
            Name = name,
            Icc = Bool(network, EnableIcc, defaults.Icc),
            IPMasquerade = Bool(network, EnableIPMasquerade, defaults.IPMasquerade),
            DefaultHostIP = o.TryGetValue(HostBindingIPv4, out var h) ? Address(network, HostBindingIPv4, h) : null,
            MtuValue = o.TryGetValue(Mtu, out var m) ? MtuOf(network, m) : defaults.Mtu,
            AntiSpoofingEnabled = Bool(network, AntiSpoofing, true),
        };
    }

    private static bool Bool(NetworkState network, string key, bool fallback)
    {
        if (!network.Options.TryGetValue(key, out var text)) return fallback;
        return bool.TryParse(text, out var value) ? value
            : throw PlexusException.Invalid($"network {network.Name}: option {key} must be true or false, not '{text}'");
    }

    private static IPAddress Address(NetworkState network, string key, string text) =>
        IPAddress.TryParse(text, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? ip
            : throw PlexusException.Invalid($"network {network.Name}: option {key} must be an IPv4 address, not '{text}'");

    private static int MtuOf(NetworkState network, string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var mtu) && mtu is >= 68 and <= 65535 ? mtu
            : throw PlexusException.Invalid($"network {network.Name}: option {Mtu} must be a number from 68 to 65535, not '{text}'");
}
