using Plexus.Engine.Model;

namespace Plexus.Engine.Drivers;

/// <summary>
/// What a driver does, declared once by the driver (libnetwork's driverapi.Capability, grown by what Plexus
/// decides on). The controller and the API read these, never a driver's name: a new driver gets the
/// behaviour it declares without a line changed elsewhere. A plain record read on the hot path: no reflection.
/// </summary>
public sealed record DriverCapabilities
{
    /// <summary>Where the driver's network definitions are kept: the local store or the global one.</summary>
    public DataScope DataScope { get; init; } = DataScope.Local;

    /// <summary>Where endpoints of one network can reach each other: this host, or across hosts.</summary>
    public DataScope ConnectivityScope { get; init; } = DataScope.Local;

    /// <summary>Networks get subnets from IPAM and endpoints get addresses from them (not null, not host).</summary>
    public bool UsesIpam { get; init; }

    /// <summary>Endpoints may publish host ports (`-p`): the driver maps them (the bridge's firewall).</summary>
    public bool PublishesPorts { get; init; }

    /// <summary>
    /// Joined endpoints get names in the embedded DNS resolver (user-defined networks; Docker's default bridge,
    /// marked by <see cref="Controller.NetworkController.DefaultBridgeOption"/>, still has none), and a
    /// non-internal network of such a driver lets the resolver forward to upstream servers.
    /// </summary>
    public bool EmbeddedDns { get; init; }

    /// <summary>A sandbox on such a network may join no other network, nor this one another (null, host).</summary>
    public bool ExclusiveSandbox { get; init; }

    /// <summary>
    /// Joined only by sandboxes that share the host's network namespace, which can join nothing else (host).
    /// Implies <see cref="ExclusiveSandbox"/>.
    /// </summary>
    public bool HostNamespace { get; init; }

    /// <summary>At most one network of this driver exists (null, host: Docker's predefined networks).</summary>
    public bool SingleNetwork { get; init; }

    /// <summary>
    /// The host routes the network's subnets through an interface of its own (the bridge and its gateway address), so
    /// they must not overlap a subnet the host's other interfaces are on. Not so for macvlan, whose subnet is usually
    /// the parent's own segment.
    /// </summary>
    public bool HostRoutesSubnets { get; init; }

    /// <summary>Legacy links (`--link`) are enforced: the driver implements <see cref="ILinkingDriver"/>.</summary>
    public bool SupportsLinks { get; init; }
}
