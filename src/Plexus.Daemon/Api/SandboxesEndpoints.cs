using Plexus.Api;
using Plexus.Daemon.Http;
using System.Diagnostics;
using Plexus.Engine.Controller;
using Plexus.Engine.Model;
using Plexus.Engine.Ports;

using Plexus.Engine.UseCases;

namespace Plexus.Daemon.Api;

/// <summary>Plexus's own sandbox endpoints (docs/api.md): create or adopt, run, exec, logs, remove.</summary>
internal static class SandboxesEndpoints
{
    public static void Map(ApiRoutes routes)
    {
        routes.Post("/plexus/sandboxes", DaemonJson.Relaxed.SandboxCreateJson, (call, body) =>
        {
            var created = call.Services.SandboxCreation.Run(RunRequest(body));
            return Answer.Json(new SandboxCreateResponseJson(created, []), DaemonJson.Relaxed.SandboxCreateResponseJson, statusCode: 201);
        });

        ExecEndpoint.Map(routes);

        routes.GetAsync("/plexus/sandboxes/{id}/logs", async call =>
        {
            var (c, id, follow, http) = (call.Controller, call.RouteValue, call.Query("follow"), call.Http);
            var sandbox = c.GetSandbox(id);
            var path = sandbox.State.Process?.LogPath;
            http.Response.ContentType = "text/plain; charset=utf-8";
            if (path is null || !File.Exists(path)) return;
            bool following = follow is "1" or "true";
            await using var log = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var buffer = new byte[16384];
            await ContainerLogs.CopyAsync(log, buffer, async read =>
            {
                await http.Response.Body.WriteAsync(buffer.AsMemory(0, read), http.RequestAborted);
                if (following) await http.Response.Body.FlushAsync(http.RequestAborted);
            }, following, sandbox.Id, c, call.Services.Stopping, http.RequestAborted);
        });

        routes.Delete("/plexus/sandboxes/{id}", call =>
        {
            var (c, id, force) = (call.Controller, call.RouteValue, call.Query("force"));
            // The controller refuses a running sandbox without force, and otherwise ends what it started.
            c.DeleteSandbox(c.GetSandbox(id).Id, force: force is "1" or "true");
            return Answer.NoContent();
        });
    }

    /// <summary>
    /// The request body of `plexus run` / `plexus create` as the engine's request: every list bounded and checked,
    /// ports and links parsed. The creation itself, and its rollback, is the engine's (<see cref="SandboxCreation"/>).
    /// </summary>
    internal static SandboxRunRequest RunRequest(SandboxCreateJson body)
    {
        if (body.Cmd is { Count: > 0 }) RequestValidation.Command(body.Cmd);
        foreach (var e in Entries(body.Env, "environment variable (Env, -e)")) RequestValidation.Argument(e, "environment variable (Env, -e)");
        Entries(body.Publish, "published port (Publish, -p)");
        Entries(body.Expose, "exposed port (Expose, --expose)");
        var links = Entries(body.Links, "link (Links, --link)").Select(ParseLink).ToList();
        var mode = body.Pid is not null ? SandboxNamespaceMode.Pid
            : body.NetnsPath is { Length: > 0 } ? SandboxNamespaceMode.Path
            : body.Network == "host" ? SandboxNamespaceMode.Host
            : SandboxNamespaceMode.New;
        var network = body.Network is { Length: > 0 } name ? name : null;
        var endpoint = ContainerMapping.EndpointRequest(new EndpointSettingsJson
        {
            IPAMConfig = new EndpointIpamConfigJson { IPv4Address = body.IPv4Address, IPv6Address = body.IPv6Address },
            MacAddress = body.MacAddress,
            Aliases = body.Aliases,
        }) with
        {
            PublishedPorts = (body.Publish ?? []).SelectMany(p => PortSpec.Parse(p).Expand()).ToList(),
            ExposedPorts = Exposed(body),
        };
        return new SandboxRunRequest
        {
            Sandbox = new SandboxCreateRequest
            {
                Name = body.Name ?? "",
                Mode = mode,
                NamespacePath = body.NetnsPath,
                Pid = body.Pid,
                Hostname = body.Hostname,
                DnsServers = body.Dns ?? [],
                DnsSearch = body.DnsSearch ?? [],
                DnsOptions = body.DnsOptions ?? [],
                ExtraHosts = body.ExtraHosts ?? [],
                Labels = body.Labels ?? [],
                Links = links,
                Privileged = body.Privileged ?? false,
                CapAdd = Entries(body.CapAdd, "capability (CapAdd, --cap-add)"),
                CapDrop = Entries(body.CapDrop, "capability (CapDrop, --cap-drop)"),
            },
            Network = network,
            Endpoint = endpoint,
            Command = body.Cmd ?? [],
            Environment = body.Env ?? [],
        };
    }

    /// <summary>Exposed ports are the --expose list plus every published container port, as "80/tcp".</summary>
    private static List<string> Exposed(SandboxCreateJson body)
    {
        var ports = new List<string>();
        foreach (var e in body.Expose ?? [])
        {
            var spec = PortSpec.Parse(e);
            if (spec.HostPortStart != 0 || spec.HostIP is not null) throw PlexusException.Invalid($"invalid --expose '{e}': give only a container port or range and a protocol");
            ports.AddRange(spec.Expand().Select(b => $"{b.ContainerPort}/{b.ProtocolName}"));
        }
        foreach (var p in body.Publish ?? [])
            ports.AddRange(PortSpec.Parse(p).Expand().Select(b => $"{b.ContainerPort}/{b.ProtocolName}"));
        return ports.Distinct().ToList();
    }

    private static SandboxLink ParseLink(string text)
    {
        var parts = text.Split(':');
        if (parts.Length > 2 || parts[0].Length == 0) throw PlexusException.Invalid($"invalid link '{text}': expected NAME or NAME:ALIAS");
        return new SandboxLink(parts[0].TrimStart('/'), parts.Length == 2 && parts[1].Length > 0 ? parts[1] : parts[0].TrimStart('/'));
    }

    /// <summary>A list from a request body: bounded, and without null entries (JSON allows [null]).</summary>
    internal static List<string> Entries(List<string>? list, string what)
    {
        if (list is null) return [];
        RequestValidation.List(list, what);
        if (list.Contains(null!)) throw PlexusException.Invalid($"invalid {what}: an entry is null");
        return list;
    }

    internal static void SetEnv(ProcessStartInfo psi, string assignment)
    {
        RequestValidation.Argument(assignment, "environment variable (Env, -e)");
        int eq = assignment.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0) throw PlexusException.Invalid($"invalid environment variable (Env, -e) {RequestValidation.Show(assignment)}: expected NAME=VALUE");
        psi.Environment[assignment[..eq]] = assignment[(eq + 1)..];
    }
}
