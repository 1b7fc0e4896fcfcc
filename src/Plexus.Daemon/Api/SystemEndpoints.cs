using Plexus.Api;
using Plexus.Daemon.Http;
using System.Runtime.InteropServices;
using Plexus.Daemon.Config;
using Plexus.Engine.Controller;
using Plexus.Engine.Model;
using Plexus.Engine.UseCases;

namespace Plexus.Daemon.Api;

/// <summary>/_ping, /version, /info, and the disk-usage, image and volume lists a network daemon answers empty.</summary>
internal static class SystemEndpoints
{
    public static void Map(ApiRoutes routes, DaemonSettings settings)
    {
        routes.Methods(["GET", "HEAD"], "/_ping", call =>
        {
            var context = call.Http;
            context.Response.Headers["API-Version"] = ApiInfo.ApiVersion;
            context.Response.Headers["OSType"] = "linux";
            context.Response.Headers["Docker-Experimental"] = "false";
            context.Response.Headers.CacheControl = "no-cache, no-store, must-revalidate";
            return Answer.Text("OK", "text/plain");
        });

        routes.Get("/version", _ => Answer.Json(new VersionJson(), DaemonJson.Relaxed.VersionJson));

        routes.Get("/info", call =>
        {
            var (c, features) = (call.Controller, call.Services.Features);
            var sandboxes = c.Sandboxes.ToList();
            int running = sandboxes.Count(ContainerMapping.IsRunning);
            return Answer.Json(new InfoJson
            {
                ID = settings.DaemonId,
                Containers = sandboxes.Count,
                ContainersRunning = running,
                ContainersStopped = sandboxes.Count - running,
                DockerRootDir = settings.DataRoot,
                FirewallBackend = Firewall(settings.FirewallBackend),
                DriverStatus = [["Firewall Backend", settings.FirewallBackend], ["Exec Root", settings.ExecRoot]],
                KernelFeatures = new Dictionary<string, bool>(features.Features),
                ClusterStore = settings.Cluster?.Store,
                ClusterAdvertise = settings.Cluster?.Advertise,
            }, DaemonJson.Relaxed.InfoJson);
        });

        // No images, volumes or build cache: empty, in Docker's shapes, so `docker system df` and SDK listings work.
        routes.Get("/system/df", call =>
        {
            var (c, type) = (call.Controller, call.Query("type"));
            var types = (type ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            foreach (var t in types)
                if (t is not ("container" or "image" or "volume" or "build-cache"))
                    throw PlexusException.Invalid($"unknown object type: {t}");
            bool Wants(string t) => types.Length == 0 || types.Contains(t);
            return Answer.Json(new DiskUsageJson
            {
                Images = Wants("image") ? [] : null,
                Containers = Wants("container") ? c.Sandboxes.Select(s => ContainerMapping.Summary(s, c)).ToList() : null,
                Volumes = Wants("volume") ? [] : null,
                BuildCache = Wants("build-cache") ? [] : null,
            }, DaemonJson.Relaxed.DiskUsageJson);
        });
        routes.Get("/images/json", _ => Answer.Json(new List<ImageSummaryJson>(), DaemonJson.Relaxed.ListImageSummaryJson));
        routes.Get("/images/{**name}", call =>
            Missing($"No such image: {(call.RouteValue is var name && name.EndsWith("/json", StringComparison.Ordinal) ? name[..^5] : name)}"));
        routes.Get("/volumes", _ => Answer.Json(new VolumeListJson(), DaemonJson.Relaxed.VolumeListJson));
        routes.Get("/volumes/{name}", call => Missing($"get {call.RouteValue}: no such volume"));
    }

    private static Answer Missing(string message) => throw PlexusException.NotFound(message);

    /// <summary>Docker's FirewallInfo for the backend the daemon runs.</summary>
    private static FirewallInfoJson Firewall(string backend) => new()
    {
        Driver = backend,
        Info = backend == "nftables" ? [["Table", "inet plexus"]] : null,
    };
}
