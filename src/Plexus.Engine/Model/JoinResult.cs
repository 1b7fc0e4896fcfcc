using System.Net;
using Plexus.Kernel.Types;

namespace Plexus.Engine.Model;

/// <summary>
/// What the driver's join gave a joined endpoint, recorded on it (<see cref="EndpointState.Joined"/>) so the
/// gateway it offers is computed once, by its driver, and read everywhere else: the sandbox's default route
/// choice, the restore after a restart, the API's container inspect.
/// </summary>
public sealed record JoinResult
{
    /// <summary>Gateways the endpoint offers for the sandbox's default routes; null for none (internal networks, null, host).</summary>
    public IPAddress? GatewayV4 { get; init; }

    public IPAddress? GatewayV6 { get; init; }

    /// <summary>Routes through the endpoint's interface besides the default one.</summary>
    public IReadOnlyList<StaticRoute> StaticRoutes { get; init; } = [];

    /// <summary>The driver asked for no gateway service (libnetwork's DisableGatewayService).</summary>
    public bool DisableGatewayService { get; init; }

    /// <summary>The host-side name of an interface the controller moved into the sandbox, to move it back on leave.</summary>
    public string? SourceInterface { get; init; }

    /// <summary>True when the endpoint offers a gateway of either family.</summary>
    public bool OffersGateway => GatewayV4 is not null || GatewayV6 is not null;

    public static JoinResult Nothing { get; } = new();
}

/// <summary>
/// A route through an endpoint's interface: via <see cref="NextHop"/>, or straight onto the link when it is
/// null (libnetwork's NEXTHOP and CONNECTED route types).
/// </summary>
public sealed record StaticRoute(IPPrefix Destination, IPAddress? NextHop = null);
