using Plexus.Api;
using Plexus.Engine.Controller;

namespace Plexus.Daemon.Api;

/// <summary>Docker's /containers read endpoints, showing sandboxes as containers.</summary>
internal static class ContainersEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/containers/json", (string? all, string? filters, NetworkController c) =>
        {
            var f = Filters.Parse(filters, "name", "id", "network", "label", "status");
            bool showAll = all is "1" or "true";
            var list = c.Sandboxes
                .Select(s => (s, json: ContainerMapping.Summary(s, c)))
                .Where(x => showAll || x.json.State == "running")
                .Where(x => f.Accepts("name", v => x.s.Name.Contains(v.TrimStart('/'), StringComparison.Ordinal))
                    && f.Accepts("id", v => x.s.Id.StartsWith(v, StringComparison.Ordinal))
                    && f.Accepts("network", v => x.json.NetworkSettings.Networks.ContainsKey(v))
                    && f.Accepts("status", v => v == x.json.State)
                    && f.Accepts("label", v => Labels.Match(x.s.State.Labels, v)))
                .Select(x => x.json)
                .ToList();
            return Results.Json(list, DaemonJson.Relaxed.ListContainerSummaryJson);
        });

        app.MapGet("/containers/{id}/json", (string id, NetworkController c) =>
            Results.Json(ContainerMapping.Inspect(c.GetSandbox(id.TrimStart('/')), c), DaemonJson.Relaxed.ContainerInspectJson));
    }
}
