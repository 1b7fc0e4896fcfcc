using Plexus.Api;
using Plexus.Daemon.Http;

namespace Plexus.Daemon.Api;

/// <summary>
/// Swarm's endpoints, answered as a Docker daemon that is not part of a swarm answers them: 503 with
/// Docker's words. Clients rely on it: docker-py's tear-down leaves the swarm and accepts 503 (not 404),
/// and `docker node ls` prints the reason.
/// </summary>
internal static class SwarmEndpoints
{
    /// <summary>Docker's errNoSwarm, for leaving a swarm never joined.</summary>
    public const string NotPartOfSwarm = "This node is not part of a swarm";

    /// <summary>Docker's errNoManager for a node with no swarm at all, for everything else.</summary>
    public const string NotManager =
        "This node is not a swarm manager. Use \"docker swarm init\" or \"docker swarm join\" to connect this node to swarm and try again.";

    /// <summary>Creating or joining a swarm: Docker would do it; a network daemon cannot.</summary>
    public const string NoSwarmMode = NotPartOfSwarm + ": plexusd manages container networks on one host and does not run swarm mode";

    private static readonly string[] Collections = ["nodes", "services", "tasks", "secrets", "configs"];

    public static void Map(ApiRoutes routes)
    {
        routes.Any("/swarm/leave", _ => Unavailable(NotPartOfSwarm));
        routes.Any("/swarm/init", _ => Unavailable(NoSwarmMode));
        routes.Any("/swarm/join", _ => Unavailable(NoSwarmMode));
        routes.Any("/swarm", _ => Unavailable(NotManager));
        routes.Any("/swarm/{**rest}", _ => Unavailable(NotManager));
        foreach (var collection in Collections)
        {
            routes.Any($"/{collection}", _ => Unavailable(NotManager));
            routes.Any($"/{collection}/{{**rest}}", _ => Unavailable(NotManager));
        }
    }

    // Exactly application/json: the docker client decodes {"message"} only then.
    private static Answer Unavailable(string message) =>
        Answer.Json(new ErrorJson(message), DaemonJson.Relaxed.ErrorJson, "application/json", StatusCodes.Status503ServiceUnavailable);
}
