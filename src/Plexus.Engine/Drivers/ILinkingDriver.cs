using Plexus.Engine.Model;

namespace Plexus.Engine.Drivers;

/// <summary>
/// Optional: a driver that enforces legacy links (`--link`), which only the bridge does. A driver implements it
/// together with <see cref="DriverCapabilities.SupportsLinks"/>; the controller checks the two agree when it
/// starts, and calls these instead of <see cref="INetworkDriver.Reconcile"/> for such drivers.
/// </summary>
public interface ILinkingDriver
{
    /// <summary>Makes the network's link exceptions exactly <paramref name="flows"/> (one atomic change).</summary>
    void SetLinks(NetworkState network, IReadOnlyList<LinkFlow> flows);

    /// <summary><see cref="INetworkDriver.Reconcile"/> with each network's link exceptions, applied in the same change.</summary>
    void Reconcile(IReadOnlyCollection<NetworkState> networks, IReadOnlyCollection<EndpointState> joinedEndpoints,
        Func<NetworkState, IReadOnlyList<LinkFlow>> linksOf);
}
