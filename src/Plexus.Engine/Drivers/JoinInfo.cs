using System.Net;
using Plexus.Engine.Model;

namespace Plexus.Engine.Drivers;

/// <summary>
/// What a driver's join hands back for the sandbox to configure (libnetwork's JoinInfo). The controller
/// records the gateways, the routes and <see cref="DisableGatewayService"/> on the endpoint
/// (<see cref="EndpointState.Joined"/>), so nothing computes them again.
/// </summary>
public sealed record JoinInfo
{
    /// <summary>Address the interface and bring it up (false for drivers that create no interface).</summary>
    public bool ConfigureInterface { get; init; } = true;

    /// <summary>Gateways this endpoint offers for the sandbox's default routes; null for none (internal networks).</summary>
    public IPAddress? GatewayV4 { get; init; }

    public IPAddress? GatewayV6 { get; init; }

    /// <summary>Routes the sandbox gets through this endpoint's interface, whether or not it holds the default route.</summary>
    public IReadOnlyList<StaticRoute> StaticRoutes { get; init; } = [];

    /// <summary>
    /// The endpoint needs no gateway service from the controller (libnetwork's DisableGatewayService: no
    /// extra gateway network for sandboxes whose only endpoints are on networks without outside access).
    /// Plexus has no such service yet; it is recorded on the endpoint for the overlay driver's work.
    /// </summary>
    public bool DisableGatewayService { get; init; }

    /// <summary>
    /// The name of an interface the driver made in the host's namespace (libnetwork's SrcName) for the
    /// controller to move into the sandbox and rename to the endpoint's interface name (eth0...): what a
    /// remote (plugin) driver does, as it cannot reach the sandbox. Null when the driver made the interface in
    /// the sandbox itself (bridge, macvlan). On leave the controller moves it back under this name before the
    /// driver's <see cref="INetworkDriver.Leave"/>, which removes it.
    /// </summary>
    public string? SourceInterface { get; init; }

    /// <summary>The new interface's index in the sandbox, when the driver knows it (saves a lookup).</summary>
    public int? InterfaceIndex { get; init; }

    /// <summary>What the controller records on the endpoint (<see cref="EndpointState.Joined"/>).</summary>
    public JoinResult ToResult() => new()
    {
        GatewayV4 = GatewayV4,
        GatewayV6 = GatewayV6,
        StaticRoutes = StaticRoutes,
        DisableGatewayService = DisableGatewayService,
        SourceInterface = SourceInterface,
    };

    public static JoinInfo None { get; } = new() { ConfigureInterface = false };

    /// <summary>
    /// The gateways an endpoint offers when its network routes out through its own gateway addresses (the bridge;
    /// macvlan and ipvlan L2 with a parent): the gateway of the network's first subnet of each enabled family, none
    /// on an internal network, which has no way out. The one rule, so drivers and the restore of old records agree.
    /// </summary>
    public static JoinInfo GatewaysOf(NetworkState network) => GatewaysOf(network, null);

    /// <summary>
    /// As <see cref="GatewaysOf(NetworkState)"/>, but with several subnets of a family (Docker's repeated --subnet,
    /// CNI's range set of several ranges) the gateway of the subnet that holds the endpoint's address: the one on
    /// its link.
    /// </summary>
    public static JoinInfo GatewaysOf(NetworkState network, EndpointState? endpoint)
    {
        ArgumentNullException.ThrowIfNull(network);
        return network.Internal ? new JoinInfo() : new JoinInfo
        {
            GatewayV4 = SubnetGatewayOf(network, endpoint?.IPv4, 4),
            GatewayV6 = network.EnableIPv6 ? SubnetGatewayOf(network, endpoint?.IPv6, 6) : null,
        };
    }

    /// <summary>The gateway of the family's subnet holding <paramref name="address"/>, else of its first subnet; null without one.</summary>
    public static IPAddress? SubnetGatewayOf(NetworkState network, Kernel.Types.IPPrefix? address, int ipVersion)
    {
        ArgumentNullException.ThrowIfNull(network);
        var subnets = network.Subnets.Where(s => s.IpVersion == ipVersion);
        return (address is { } a ? subnets.FirstOrDefault(s => s.Subnet.Contains(a.Address)) : null)?.Gateway ?? subnets.FirstOrDefault()?.Gateway;
    }
}
