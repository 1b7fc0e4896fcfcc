using Plexus.Api;
using System.Runtime.InteropServices;
using Plexus.Daemon.Config;
using Plexus.Engine.Controller;

namespace Plexus.Daemon.Api;


/// <summary>/_ping, /version, /info.</summary>
internal static class SystemEndpoints
{
    public static void Map(IEndpointRouteBuilder app, DaemonSettings settings)
    {
        app.MapMethods("/_ping", ["GET", "HEAD"], (HttpContext context) =>
        {
            context.Response.Headers["API-Version"] = ApiInfo.ApiVersion;
            context.Response.Headers["OSType"] = "linux";
            context.Response.Headers["Docker-Experimental"] = "false";
            context.Response.Headers.CacheControl = "no-cache, no-store, must-revalidate";
            return Results.Text("OK", "text/plain");
        });

        app.MapGet("/version", () => Results.Json(new VersionJson(), DaemonJson.Default.VersionJson));

        // Probed once, on first use, in a throwaway namespace under the exec root.
        var features = new Lazy<IReadOnlyDictionary<string, bool>>(() => Kernel.KernelFeatures.Probe(Path.Combine(settings.ExecRoot, "probe")));
        app.MapGet("/info", (NetworkController c) =>
        {
            var sandboxes = c.Sandboxes.ToList();
            int running = sandboxes.Count(ContainerMapping.IsRunning);
            return Results.Json(new InfoJson
            {
                ID = settings.DaemonId,
                Containers = sandboxes.Count,
                ContainersRunning = running,
                ContainersStopped = sandboxes.Count - running,
                DockerRootDir = settings.DataRoot,
                FirewallBackend = settings.FirewallBackend,
                DriverStatus = [["Firewall Backend", settings.FirewallBackend], ["Exec Root", settings.ExecRoot]],
                KernelFeatures = new Dictionary<string, bool>(features.Value),
            }, DaemonJson.Default.InfoJson);
        });
    }
}
