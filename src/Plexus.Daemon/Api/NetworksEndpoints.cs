using Plexus.Api;
using Plexus.Daemon.Http;
using Plexus.Engine.Controller;
using Plexus.Engine.Model;

namespace Plexus.Daemon.Api;

/// <summary>Docker's /networks endpoints.</summary>
internal static class NetworksEndpoints
{
    /// <summary>Networks every daemon has and that cannot be removed, as in Docker.</summary>
    public static readonly string[] Predefined = ["bridge", "host", "none"];

    public static void Map(ApiRoutes routes)
    {
        routes.Get("/networks", call =>
        {
            var c = call.Controller;
            var filters = call.Query("filters");
            var f = Filters.Parse(filters, "name", "id", "driver", "label", "type", "dangling", "scope");
            return Answer.Json(c.Networks.Where(n => Matches(n, f, c)).Select(n => NetworkMapping.ToJson(n, c)).ToList(), DaemonJson.Relaxed.ListNetworkJson);
        });

        routes.Get("/networks/{id}", call =>
        {
            var (c, id, scope, verbose) = (call.Controller, call.RouteValue, call.Query("scope"), call.Query("verbose"));
            if (verbose is { Length: > 0 } && !bool.TryParse(verbose, out _) && verbose is not ("0" or "1"))
                throw PlexusException.Invalid($"invalid value for verbose: {verbose}");
            // Asked in another scope, it is not there (Docker's scope filter): overlay networks are global, the others local.
            var network = c.GetNetwork(id);
            if (scope is { Length: > 0 } && scope != ScopeOf(network)) throw PlexusException.NotFound($"network {id} not found");
            return Answer.Json(NetworkMapping.ToJson(network, c), DaemonJson.Relaxed.NetworkJson);
        });

        routes.Post("/networks/create", DaemonJson.Relaxed.NetworkCreateJson, (call, body) =>
        {
            var c = call.Controller;
            var network = c.CreateNetwork(NetworkMapping.FromJson(body));
            return Answer.Json(new NetworkCreateResponseJson(network.Id, ""), DaemonJson.Relaxed.NetworkCreateResponseJson, statusCode: 201);
        });

        routes.Delete("/networks/{id}", call =>
        {
            var (c, id) = (call.Controller, call.RouteValue);
            var network = c.GetNetwork(id);
            if (Predefined.Contains(network.Name))
                throw new PlexusException(ErrorKind.Forbidden, $"{network.Name} is a pre-defined network and cannot be removed");
            c.DeleteNetwork(network.Id);
            return Answer.NoContent();
        });

        routes.Post("/networks/{id}/connect", DaemonJson.Relaxed.NetworkConnectJson, (call, body) =>
        {
            var (c, id) = (call.Controller, call.RouteValue);
            if (string.IsNullOrEmpty(body.Container)) throw PlexusException.Invalid("no container given to connect");
            c.Connect(id, body.Container, ContainerMapping.EndpointRequest(body.EndpointConfig));
            return Answer.Ok();
        });

        routes.Post("/networks/{id}/disconnect", DaemonJson.Relaxed.NetworkDisconnectJson, (call, body) =>
        {
            var (c, id) = (call.Controller, call.RouteValue);
            if (string.IsNullOrEmpty(body.Container)) throw PlexusException.Invalid("no container given to disconnect");
            c.Disconnect(id, body.Container, force: body.Force == true);
            return Answer.Ok();
        });

        routes.Post("/networks/prune", call =>
        {
            var (c, filters) = (call.Controller, call.Query("filters"));
            // Every filter Docker accepts is applied; any other is refused, never ignored.
            var f = Filters.Parse(filters, "label", "label!", "until");
            long? until = f.Single("until") is { } u ? DockerTime.ParseNanoseconds(u, DateTimeOffset.UtcNow) : null;
            var deleted = new List<string>();
            foreach (var n in c.Networks)
            {
                if (Predefined.Contains(n.Name) || c.EndpointsOf(n).Count > 0) continue; // a config-only network in use is refused by the delete, as in Docker
                if (until is { } limit && DockerTime.ToNanoseconds(n.Created) > limit) continue;
                if (!LabelsMatch(n, f) || (f.Has("label!") && f.AcceptsAll("label!", v => Labels.Match(n.Labels, v)))) continue;
                try
                {
                    c.DeleteNetwork(n.Id);
                    deleted.Add(n.Name);
                }
                catch (PlexusException)
                {
                    // joined meanwhile: not unused any more
                }
            }
            return Answer.Json(new NetworkPruneResponseJson(deleted), DaemonJson.Relaxed.NetworkPruneResponseJson);
        });
    }

    /// <summary>Docker's network filters: name and id as patterns, labels all matched, type and dangling checked.</summary>
    private static bool Matches(NetworkState n, Filters f, NetworkController c)
    {
        foreach (var type in f.Values("type"))
            if (type is not ("builtin" or "custom")) throw PlexusException.Invalid($"invalid filter: 'type'='{type}'");
        var dangling = f.Values("dangling");
        if (dangling.Count > 1) throw PlexusException.Invalid("got more than one value for filter key \"dangling\"");
        if (dangling.Count == 1 && dangling[0] is not ("0" or "1" or "true" or "false"))
            throw PlexusException.Invalid("invalid value for filter 'dangling', must be \"true\" (or \"1\"), or \"false\" (or \"0\")");
        return f.Matches("name", n.Name)
            && f.Matches("id", n.Id)
            && f.Accepts("driver", v => n.Driver == v)
            && f.Accepts("scope", v => v == ScopeOf(n))
            && f.Accepts("type", v => v == (Predefined.Contains(n.Name) ? "builtin" : "custom"))
            && f.Accepts("dangling", v => (v is "true" or "1") == (!Predefined.Contains(n.Name) && c.EndpointsOf(n).Count == 0))
            && LabelsMatch(n, f);
    }

    private static bool LabelsMatch(NetworkState n, Filters f) => f.AcceptsAll("label", v => Labels.Match(n.Labels, v));

    private static string ScopeOf(NetworkState network) => network.Scope == DataScope.Global ? "global" : "local";
}
