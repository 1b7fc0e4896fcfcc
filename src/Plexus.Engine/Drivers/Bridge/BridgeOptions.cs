using System.Globalization;
using System.Net;
using Plexus.Engine.Model;
using Plexus.Kernel.Types;

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

    /// <summary>Plexus's own (the CNI bridge plugin's hairpinMode): every port of the bridge in hairpin mode, not only those with published ports.</summary>
    public const string HairpinMode = "com.plexus.network.bridge.hairpin_mode";

    /// <summary>Plexus's own (the CNI bridge plugin's promiscMode): the bridge device in promiscuous mode.</summary>
    public const string PromiscMode = "com.plexus.network.bridge.promisc_mode";

    /// <summary>
    /// Plexus's own: "true" turns the bridge's IGMP/MLD snooping on (the kernel's default, which Docker keeps), so
    /// multicast goes only to the ports that joined its group. Plexus's bridges flood multicast like a plain switch
    /// by default: with snooping on, every port that comes up or goes down makes the kernel re-arm the multicast
    /// timers of every other port, an attach and a detach that cost more the more sandboxes the network has.
    /// </summary>
    public const string MulticastSnooping = "com.plexus.network.bridge.multicast_snooping";

    /// <summary>
    /// Plexus's own (the CNI bridge plugin's isGateway): "false" puts no gateway address on the bridge; the subnets'
    /// gateways are then routers elsewhere on the link, and the sandboxes' routes still name them.
    /// </summary>
    public const string GatewayOnBridge = "com.plexus.network.bridge.gateway_on_bridge";

    /// <summary>
    /// Plexus's own (the CNI bridge plugin's isDefaultGateway, or host-local's default routes): the families whose
    /// default route a join offers, "ipv4,ipv6" (the default), one of them, or "" for none.
    /// </summary>
    public const string DefaultRoutes = "com.plexus.network.bridge.default_routes";

    /// <summary>
    /// Plexus's own (host-local's routes): more routes each sandbox gets through its interface on the network, as
    /// "DST" or "DST via GW" separated by ",". A route without GW goes via the gateway of its family's subnet.
    /// </summary>
    public const string Routes = "com.plexus.network.bridge.routes";

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
    public bool Hairpin { get; init; }
    public bool Promiscuous { get; init; }
    public bool Snooping { get; init; }
    public bool IsGateway { get; init; } = true;
    public bool DefaultRouteV4 { get; init; } = true;
    public bool DefaultRouteV6 { get; init; } = true;
    public IReadOnlyList<StaticRoute> StaticRoutes { get; init; } = [];

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
            Hairpin = Bool(network, HairpinMode, false),
            Promiscuous = Bool(network, PromiscMode, false),
            Snooping = Bool(network, MulticastSnooping, false),
            IsGateway = Bool(network, GatewayOnBridge, true),
            DefaultRouteV4 = !o.TryGetValue(DefaultRoutes, out var d4) || Families(network, d4).V4,
            DefaultRouteV6 = !o.TryGetValue(DefaultRoutes, out var d6) || Families(network, d6).V6,
            StaticRoutes = o.TryGetValue(Routes, out var r) ? RoutesOf(network, r) : [],
        };
    }

    private static bool Bool(NetworkState network, string key, bool fallback)
    {
        if (!network.Options.TryGetValue(key, out var text)) return fallback;
        return bool.TryParse(text, out var value) ? value
            : throw PlexusException.Invalid($"network {network.Name}: option {key} must be true or false, not '{text}'");
    }

    private static (bool V4, bool V6) Families(NetworkState network, string text)
    {
        bool v4 = false, v6 = false;
        foreach (var family in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (family == "ipv4") v4 = true;
            else if (family == "ipv6") v6 = true;
            else throw PlexusException.Invalid($"network {network.Name}: option {DefaultRoutes} lists '{family}': expected ipv4, ipv6 or both, separated by a comma");
        }
        return (v4, v6);
    }

    /// <summary>"DST" or "DST via GW", separated by ","; a route without a gateway has none here (the join gives it the endpoint's subnet's).</summary>
    private static List<StaticRoute> RoutesOf(NetworkState network, string text)
    {
        var routes = new List<StaticRoute>();
        foreach (var entry in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = entry.Split(" via ", StringSplitOptions.TrimEntries);
            if (parts.Length > 2 || !IPNetwork.TryParse(parts[0], out var dst))
                throw PlexusException.Invalid($"network {network.Name}: option {Routes}: '{entry}' is not \"DST\" or \"DST via GW\" (DST a CIDR block)");
            var family = dst.BaseAddress.AddressFamily;
            IPAddress? gateway = null;
            if (parts.Length == 2 && (!IPAddress.TryParse(parts[1], out gateway) || gateway.AddressFamily != family))
                throw PlexusException.Invalid($"network {network.Name}: option {Routes}: the gateway of route {parts[0]}, '{parts[1]}', is not an address of its family");
            // Without one, null: the join puts the gateway of the endpoint's own subnet (BridgeDriver.RoutesOf).
            routes.Add(new StaticRoute(new IPPrefix(dst.BaseAddress, dst.PrefixLength), gateway));
        }
        return routes;
    }

    private static IPAddress Address(NetworkState network, string key, string text) =>
        IPAddress.TryParse(text, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? ip
            : throw PlexusException.Invalid($"network {network.Name}: option {key} must be an IPv4 address, not '{text}'");

    private static int MtuOf(NetworkState network, string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var mtu) && mtu is >= 68 and <= 65535 ? mtu
            : throw PlexusException.Invalid($"network {network.Name}: option {Mtu} must be a number from 68 to 65535, not '{text}'");
}
