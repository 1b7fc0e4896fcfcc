using System.Globalization;
using Plexus.Api;
using Plexus.Daemon.Http;
using Plexus.Engine.Controller;
using Plexus.Engine.Model;
using Plexus.Engine.Sandboxes;

namespace Plexus.Daemon.Api;

/// <summary>Docker's /containers endpoints, showing sandboxes as containers: list, inspect, remove, logs.</summary>
internal static class ContainersEndpoints
{
    /// <summary>Every filter `docker ps` may send; each is applied as Docker applies it (there are no images or volumes here).</summary>
    private static readonly string[] ListFilters =
        ["ancestor", "before", "exited", "expose", "health", "id", "is-task", "isolation", "label", "name", "network", "publish", "since", "status", "volume"];

    private static readonly string[] States = ["created", "restarting", "running", "removing", "paused", "exited", "dead"];

    public static void Map(ApiRoutes routes)
    {
        routes.Get("/containers/json", call =>
            Answer.Json(List(call.Controller, IsTrue(call.Query("all")), call.Query("limit"), Filters.Parse(call.Query("filters"), ListFilters)), DaemonJson.Relaxed.ListContainerSummaryJson));

        routes.Get("/containers/{id}/json", call =>
            Answer.Json(ContainerMapping.Inspect(Find(call.Controller, call.RouteValue), call.Controller), DaemonJson.Relaxed.ContainerInspectJson));

        // docker rm [-f]: the sandbox really goes (endpoints left and deleted, namespace removed); a running
        // main process needs force, as a running container does.
        routes.Delete("/containers/{id}", call =>
        {
            var (c, id, force, link) = (call.Controller, call.RouteValue, call.Query("force"), call.Query("link"));
            var sandbox = Find(c, id);
            if (IsTrue(link))
                throw PlexusException.Invalid($"cannot remove link {id}: plexusd keeps links with the sandbox that made them; remove that sandbox or run it again without the link");
            if (!IsTrue(force) && sandbox.State.Process is { Pid: > 0 } && ContainerMapping.IsRunning(sandbox))
                throw PlexusException.Conflict($"cannot remove container \"/{sandbox.Name}\": container is running: stop the container before removing or force remove");
            c.DeleteSandbox(sandbox.Id, force: IsTrue(force)); // ends what the sandbox started, then removes it
            return Answer.NoContent();
        });

        routes.GetAsync("/containers/{id}/logs", ContainerLogs.Write);
    }

    /// <summary>`docker ps`: newest first; stopped ones with -a, a limit or a status filter; Docker's filters.</summary>
    private static List<ContainerSummaryJson> List(NetworkController c, bool all, string? limitText, Filters f)
    {
        int limit = 0;
        if (limitText is { Length: > 0 } && !int.TryParse(limitText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out limit))
            throw PlexusException.Invalid($"invalid limit '{limitText}': expected a number");
        foreach (var v in f.Values("exited"))
            if (!int.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)) throw PlexusException.Invalid($"invalid filter 'exited={v}'");
        foreach (var v in f.Values("status"))
        {
            if (!States.Contains(v)) throw PlexusException.Invalid($"invalid filter 'status={v}': invalid value \"{v}\": must be one of {string.Join(", ", States)}");
            all = true;
        }
        foreach (var v in f.Values("health"))
            if (v is not ("starting" or "healthy" or "unhealthy" or "none")) throw PlexusException.Invalid($"invalid filter 'health={v}'");
        foreach (var v in f.Values("is-task"))
            if (!bool.TryParse(v, out _) && v is not ("0" or "1")) throw PlexusException.Invalid($"invalid value for filter 'is-task': {v}");
        var exited = new HashSet<int>();
        foreach (var v in f.Values("exited"))
            exited.Add(int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int code)
                ? code : throw PlexusException.Invalid($"invalid filter 'exited={v}': an exit code is a number"));
        var publish = Ports(f, "publish");
        var expose = Ports(f, "expose");
        var before = f.Values("before") is { Count: > 0 } b ? Find(c, b[^1]) : null;
        var since = f.Values("since") is { Count: > 0 } s ? Find(c, s[^1]) : null;

        var result = new List<ContainerSummaryJson>();
        var now = DateTimeOffset.UtcNow;
        foreach (var sandbox in c.Sandboxes.OrderByDescending(x => x.State.Created))
        {
            if (before is not null)
            {
                if (sandbox.Id == before.Id) before = null;
                continue;
            }
            if (since is not null && sandbox.Id == since.Id) break;
            bool running = ContainerMapping.IsRunning(sandbox);
            if (!running && !all && limit <= 0) continue;
            if (!f.Matches("name", "/" + sandbox.Name) && !f.Matches("name", sandbox.Name)) continue;
            if (!f.Matches("id", sandbox.Id)) continue;
            if (!f.AcceptsAll("label", v => Labels.Match(sandbox.State.Labels, v))) continue;
            if (!f.Matches("isolation", "")) continue;
            if (f.Values("is-task").Any(v => v is "1" or "true" or "True" or "TRUE")) continue;
            if (limit > 0 && result.Count == limit) break;
            if (f.Has("exited"))
            {
                if (running || sandbox.State.Process is null) continue;
                var code = ContainerMapping.ExitOf(sandbox.State.Process).Code;
                if (!exited.Contains(code)) continue;
            }
            var json = ContainerMapping.Summary(sandbox, c);
            if (!f.Matches("status", json.State)) continue;
            if (!f.Accepts("health", v => v == "none")) continue; // no health checks: every sandbox's health is "none"
            if (f.Has("volume") || f.Has("ancestor")) continue;    // no volumes, no images
            if (!f.Accepts("network", v => json.NetworkSettings.Networks.ContainsKey(v)
                    || json.NetworkSettings.Networks.Values.Any(e => e.NetworkID?.StartsWith(v, StringComparison.Ordinal) == true)))
                continue;
            if ((publish.Count > 0 || expose.Count > 0) && !json.Ports.Exists(p =>
                    (p.PublicPort is { } pub && publish.Contains($"{pub}/{p.Type}")) || expose.Contains($"{p.PrivatePort}/{p.Type}")))
                continue;
            result.Add(json);
        }
        return result;
    }

    /// <summary>"80", "80/udp", "8080-8081/tcp" as the set of "port/proto" they name (Docker's portOp).</summary>
    private static HashSet<string> Ports(Filters f, string key)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var value in f.Values(key))
        {
            if (value.Contains(':', StringComparison.Ordinal)) throw PlexusException.Invalid($"filter for '{key}' should not contain ':': {value}");
            var slash = value.IndexOf('/', StringComparison.Ordinal);
            var proto = slash < 0 ? "tcp" : value[(slash + 1)..].ToLowerInvariant();
            var range = slash < 0 ? value : value[..slash];
            var dash = range.IndexOf('-', StringComparison.Ordinal);
            if (!ushort.TryParse(dash < 0 ? range : range[..dash], CultureInfo.InvariantCulture, out var start)
                || !ushort.TryParse(dash < 0 ? range : range[(dash + 1)..], CultureInfo.InvariantCulture, out var end) || end < start
                || proto is not ("tcp" or "udp" or "sctp"))
                throw PlexusException.Invalid($"error while looking up for {key} {value}: invalid port or protocol");
            for (int port = start; port <= end; port++) set.Add($"{port}/{proto}");
        }
        return set;
    }

    /// <summary>A sandbox by id, name or id prefix; Docker's "No such container" when there is none.</summary>
    public static Sandbox Find(NetworkController c, string reference)
    {
        try
        {
            return c.GetSandbox(reference.TrimStart('/'));
        }
        catch (PlexusException e) when (e.Kind == ErrorKind.NotFound)
        {
            throw PlexusException.NotFound($"No such container: {reference}");
        }
    }

    public static bool IsTrue(string? value) => value is "1" or "true" or "True" or "TRUE";
}
