using Plexus.Engine.Model;

namespace Plexus.Engine.Controller;

/// <summary>
/// Which of a sandbox's endpoints gives it its default routes: among those whose join offered a gateway
/// (recorded on the endpoint, <see cref="EndpointState.Joined"/>), the highest gateway priority, ties to
/// the one joined first (Docker's rule). Pure: unit-tested.
/// </summary>
public static class GatewayChoice
{
    public static EndpointState? Of(IEnumerable<EndpointState> joined)
    {
        EndpointState? best = null;
        foreach (var e in joined)
        {
            if (e.Joined is not { OffersGateway: true }) continue;
            if (best is null || e.GatewayPriority > best.GatewayPriority
                || (e.GatewayPriority == best.GatewayPriority && e.JoinOrder < best.JoinOrder))
                best = e;
        }
        return best;
    }
}
