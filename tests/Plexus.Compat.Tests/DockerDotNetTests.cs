using System.Collections.Concurrent;
using System.Net;
using Docker.DotNet;
using Docker.DotNet.Models;
using Plexus.Api;
using Plexus.Daemon.Tests;
using Plexus.Testing;

namespace Plexus.Compat.Tests;

/// <summary>
/// Docker.DotNet.Enhanced (an SDK Plexus did not write) against a real plexusd: every call it has for
/// networks, containers as sandboxes, exec, version, info, events and ping, read into its own models.
/// </summary>
[Trait("Category", "Privileged")]
public sealed class DockerDotNetTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3); // generous: the suite shares 2 CPUs with everything else

    private static DockerClient Client(DaemonWorld w) =>
        new DockerClientBuilder().WithEndpoint(new Uri("unix://" + w.Socket)).WithApiVersion(new System.Version(1, 45)).WithTimeout(Patience).Build();

    private static void Sandbox(DaemonWorld w, SandboxCreateJson body)
    {
        using var response = w.Post("plexus/sandboxes", body, DaemonJson.Default.SandboxCreateJson);
        Assert.True(response.IsSuccessStatusCode, response.Content.ReadAsStringAsync().Result);
    }

    private static Dictionary<string, IDictionary<string, bool>> Filters(params (string Key, string Value)[] pairs)
    {
        var filters = new Dictionary<string, IDictionary<string, bool>>();
        foreach (var (key, value) in pairs)
        {
            if (!filters.TryGetValue(key, out var values)) filters[key] = values = new Dictionary<string, bool>();
            values[value] = true;
        }
        return filters;
    }

    [PrivilegedFact]
    public async Task Ping_version_info_and_disk_usage_read_into_the_sdks_models()
    {
        using var w = new DaemonWorld();
        w.Start();
        using var docker = Client(w);

        await docker.System.PingAsync(default);
        var version = await docker.System.GetVersionAsync(default);
        Assert.Equal("Plexus", version.Platform.Name);
        Assert.Equal("1.45", version.APIVersion);
        Assert.Contains(version.Components, c => c.Name == "Engine" && c.Details["ApiVersion"] == "1.45");

        var info = await docker.System.GetSystemInfoAsync(default);
        Assert.Equal("nftables", info.FirewallBackend.Driver);
        Assert.Contains("inactive", info.Swarm.LocalNodeState.ToString(), StringComparison.OrdinalIgnoreCase);
        Assert.True(info.MemTotal > 0);

        Sandbox(w, new SandboxCreateJson { Name = "s1" });
        // The SDK's model of /system/df is API 1.52's; at 1.45 it reads an answer it has no fields for, without error.
        Assert.NotNull(await docker.System.GetDataUsageInfoAsync(new SytemDataUsageInfoParameters(), default));
    }

    [PrivilegedFact]
    public async Task Networks_are_created_listed_inspected_connected_disconnected_and_pruned_as_docker_does()
    {
        using var w = new DaemonWorld();
        w.Start();
        using var docker = Client(w);

        // Any non-blank name; an IPv6 subnet without IPv6 is kept and shown, and allocates nothing.
        var created = await docker.Networks.CreateNetworkAsync(new NetworksCreateParameters
        {
            Name = "my web+api",
            IPAM = new IPAM { Config = [new IPAMConfig { Subnet = "10.81.0.0/24" }, new IPAMConfig { Subnet = "fd00:81::/64" }] },
            Labels = new Dictionary<string, string> { ["tier"] = "front+back" },
        }, default);
        var web = await docker.Networks.InspectNetworkAsync(created.ID, default);
        Assert.Equal("my web+api", web.Name);
        Assert.False(web.EnableIPv6);
        Assert.Equal(["10.81.0.0/24", "fd00:81::/64"], web.IPAM.Config.Select(c => c.Subnet));
        Assert.True(string.IsNullOrEmpty(web.IPAM.Config[0].IPRange)); // left out, as Docker leaves it out
        Assert.Equal("front+back", web.Labels["tier"]);

        var listed = await docker.Networks.ListNetworksAsync(new NetworksListParameters { Filters = Filters(("label", "tier"), ("name", "web\\+api")) }, default);
        Assert.Equal([created.ID], listed.Select(n => n.ID));

        // connect keeps what it was given, and container inspect shows it back.
        Sandbox(w, new SandboxCreateJson { Name = "peer", Network = created.ID });
        Sandbox(w, new SandboxCreateJson { Name = "c1" });
        await docker.Networks.ConnectNetworkAsync(created.ID, new NetworkConnectParameters
        {
            Container = "c1",
            EndpointConfig = new EndpointSettings
            {
                IPAMConfig = new EndpointIPAMConfig { IPv4Address = "10.81.0.77", LinkLocalIPs = ["169.254.7.7"] },
                Links = ["peer:buddy"],
                Aliases = ["api"],
                DriverOpts = new Dictionary<string, string> { ["com.example.opt"] = "1" },
            },
        }, default);
        var c1 = await docker.Containers.InspectContainerAsync("c1", default);
        var endpoint = c1.NetworkSettings.Networks["my web+api"];
        Assert.Equal("10.81.0.77", endpoint.IPAddress);
        Assert.Equal("10.81.0.77", endpoint.IPAMConfig.IPv4Address);
        Assert.Equal(["169.254.7.7"], endpoint.IPAMConfig.LinkLocalIPs);
        Assert.Equal(["peer:buddy"], endpoint.Links);
        Assert.Equal("1", endpoint.DriverOpts["com.example.opt"]);
        Assert.Empty(endpoint.GlobalIPv6Address);
        Assert.Contains("169.254.7.7/16", w.Exec("c1", "ip", "-o", "addr", "show", "eth0").Output, StringComparison.Ordinal);
        Assert.Equal(2, (await docker.Networks.InspectNetworkAsync(created.ID, default)).Containers.Count);

        await docker.Networks.DisconnectNetworkAsync(created.ID, new NetworkDisconnectParameters { Container = "c1" }, default);
        Assert.DoesNotContain("my web+api", (await docker.Containers.InspectContainerAsync("c1", default)).NetworkSettings.Networks.Keys);

        // prune applies until and label!; a filter it does not know is refused.
        await docker.Networks.CreateNetworkAsync(new NetworksCreateParameters { Name = "keep", Labels = new Dictionary<string, string> { ["keep"] = "yes" } }, default);
        await docker.Networks.CreateNetworkAsync(new NetworksCreateParameters { Name = "old" }, default);
        var none = await docker.Networks.PruneNetworksAsync(new NetworksDeleteUnusedParameters { Filters = Filters(("until", "1h")) }, default);
        Assert.Empty(none.NetworksDeleted ?? []);
        var pruned = await docker.Networks.PruneNetworksAsync(new NetworksDeleteUnusedParameters { Filters = Filters(("label!", "keep")) }, default);
        Assert.Equal(["old"], pruned.NetworksDeleted);
        var refused = await Assert.ThrowsAsync<DockerApiException>(() =>
            docker.Networks.PruneNetworksAsync(new NetworksDeleteUnusedParameters { Filters = Filters(("dangling", "true")) }, default));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);

        var gone = await Assert.ThrowsAsync<DockerNetworkNotFoundException>(() => docker.Networks.InspectNetworkAsync("nope", default));
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [PrivilegedFact]
    public async Task Config_only_networks_ingress_and_swarm_answer_as_docker_outside_a_swarm()
    {
        using var w = new DaemonWorld();
        w.Start();
        using var docker = Client(w);
        var hostLinks = w.HostLinks();

        await docker.Networks.CreateNetworkAsync(new NetworksCreateParameters
        {
            Name = "cfg",
            ConfigOnly = true,
            IPAM = new IPAM { Config = [new IPAMConfig { Subnet = "10.82.0.0/24", IPRange = "10.82.0.128/25" }] },
        }, default);
        Assert.Equal(hostLinks, w.HostLinks()); // nothing built
        var cfg = await docker.Networks.InspectNetworkAsync("cfg", default);
        Assert.True(cfg.ConfigOnly);
        Assert.Equal("null", cfg.Driver);

        await docker.Networks.CreateNetworkAsync(new NetworksCreateParameters { Name = "real", ConfigFrom = new ConfigReference { Network = "cfg" } }, default);
        var real = await docker.Networks.InspectNetworkAsync("real", default);
        Assert.Equal("cfg", real.ConfigFrom.Network);
        Assert.Equal("10.82.0.128/25", real.IPAM.Config[0].IPRange);
        Sandbox(w, new SandboxCreateJson { Name = "s", Network = "real" });
        Assert.StartsWith("10.82.0.1", (await docker.Containers.InspectContainerAsync("s", default)).NetworkSettings.Networks["real"].IPAddress, StringComparison.Ordinal);

        var inUse = await Assert.ThrowsAsync<DockerApiException>(() => docker.Networks.DeleteNetworkAsync("cfg", default));
        Assert.Equal(HttpStatusCode.Forbidden, inUse.StatusCode);
        var ingress = await Assert.ThrowsAsync<DockerApiException>(() =>
            docker.Networks.CreateNetworkAsync(new NetworksCreateParameters { Name = "mesh", Ingress = true }, default));
        Assert.Equal(HttpStatusCode.Forbidden, ingress.StatusCode);

        // The SDK knows Docker's answer: its own exception for "not part of a swarm".
        var leave = await Assert.ThrowsAsync<DockerSwarmNodeNotParticipatingException>(() => docker.Swarm.LeaveSwarmAsync(new SwarmLeaveParameters { Force = true }, default));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, leave.StatusCode);
        Assert.Contains("This node is not part of a swarm", leave.ResponseBody, StringComparison.Ordinal);
        var nodes = await Assert.ThrowsAnyAsync<DockerApiException>(() => docker.Swarm.ListNodesAsync(default));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, nodes.StatusCode);
    }

    [PrivilegedFact]
    public async Task Sandboxes_are_listed_inspected_logged_execed_and_removed_as_containers()
    {
        using var w = new DaemonWorld();
        w.Start();
        using var docker = Client(w);
        Assert.Equal(0, w.Docker("network", "create", "--subnet", "10.83.0.0/24", "web").ExitCode);
        Sandbox(w, new SandboxCreateJson { Name = "old", Network = "web", Publish = ["8081:80"], Cmd = ["sh", "-c", "echo one; echo two; exec sleep 600"] });
        Thread.Sleep(1100); // Docker orders by creation time, to the nanosecond; a second apart is unambiguous
        Sandbox(w, new SandboxCreateJson { Name = "done", Network = "web", Expose = ["9000/udp"], Cmd = ["sh", "-c", "exit 7"] });
        Thread.Sleep(1100);
        Sandbox(w, new SandboxCreateJson { Name = "new" });
        WaitUntil(() => !w.Get("containers/done/json", DaemonJson.Default.ContainerInspectJson).State.Running);
        WaitUntil(() => w.Docker("logs", "old").Output.Contains("two", StringComparison.Ordinal));

        var running = await docker.Containers.ListContainersAsync(new ContainersListParameters(), default);
        Assert.Equal(["/new", "/old"], running.Select(c => c.Names[0]));        // newest first, running only
        var latest = await docker.Containers.ListContainersAsync(new ContainersListParameters { Limit = 1 }, default);
        Assert.Equal(["/new"], latest.Select(c => c.Names[0]));
        var all = await docker.Containers.ListContainersAsync(new ContainersListParameters { All = true }, default);
        var done = Assert.Single(all, c => c.Names[0] == "/done");
        Assert.Equal("exited", done.State);
        Assert.StartsWith("Exited (7) ", done.Status, StringComparison.Ordinal);
        Assert.Equal(["/old"], (await docker.Containers.ListContainersAsync(new ContainersListParameters { Filters = Filters(("publish", "8081")) }, default)).Select(c => c.Names[0]));
        Assert.Equal(["/done"], (await docker.Containers.ListContainersAsync(new ContainersListParameters { All = true, Filters = Filters(("expose", "9000/udp")) }, default)).Select(c => c.Names[0]));
        Assert.Equal(["/done", "/old"], (await docker.Containers.ListContainersAsync(new ContainersListParameters { All = true, Filters = Filters(("before", "new")) }, default)).Select(c => c.Names[0]));
        Assert.Equal(["/new", "/done"], (await docker.Containers.ListContainersAsync(new ContainersListParameters { All = true, Filters = Filters(("since", "old")) }, default)).Select(c => c.Names[0]));

        var inspected = await docker.Containers.InspectContainerAsync("done", default);
        Assert.Equal(7, inspected.State.ExitCode);
        Assert.False(inspected.State.Running);

        using (var logs = await docker.Containers.GetContainerLogsAsync("old", new ContainerLogsParameters { ShowStdout = true, ShowStderr = true }, default))
        {
            var (stdout, _) = await logs.ReadOutputToEndAsync(default);
            Assert.Equal("one\ntwo\n", stdout);
        }

        var exec = await docker.Exec.CreateContainerExecAsync("old", new ContainerExecCreateParameters
        {
            Cmd = ["sh", "-c", "echo out; echo err >&2; exit 3"],
            AttachStdout = true,
            AttachStderr = true,
        }, default);
        using (var stream = await docker.Exec.StartContainerExecAsync(exec.ID, new ContainerExecStartParameters(), default))
        {
            var (stdout, stderr) = await stream.ReadOutputToEndAsync(default);
            Assert.Equal("out\n", stdout);
            Assert.Equal("err\n", stderr);
        }
        var finished = await WaitForExit(docker, exec.ID);
        Assert.Equal(3, finished.ExitCode);

        var busy = await Assert.ThrowsAsync<DockerApiException>(() => docker.Containers.RemoveContainerAsync("old", new ContainerRemoveParameters(), default));
        Assert.Equal(HttpStatusCode.Conflict, busy.StatusCode);
        await docker.Containers.RemoveContainerAsync("old", new ContainerRemoveParameters { Force = true }, default);
        await Assert.ThrowsAsync<DockerContainerNotFoundException>(() => docker.Containers.InspectContainerAsync("old", default));
        Assert.DoesNotContain(w.Get("containers/json?all=1", DaemonJson.Default.ListContainerSummaryJson), c => c.Names[0] == "/old");
    }

    private static void WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition() && DateTime.UtcNow < deadline) Thread.Sleep(100);
    }

    private static async Task<ContainerExecInspectResponse> WaitForExit(DockerClient docker, string id)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var state = await docker.Exec.InspectContainerExecAsync(id, default);
            if (!state.Running && state.ExitCode is not null || DateTime.UtcNow > deadline) return state;
            await Task.Delay(50);
        }
    }

    [PrivilegedFact]
    public async Task Events_arrive_as_the_sdk_reads_them_filtered_as_asked()
    {
        using var w = new DaemonWorld();
        w.Start();
        using var docker = Client(w);
        var seen = new Collector();
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var watching = docker.System.MonitorEventsAsync(new ContainerEventsParameters { Filters = Filters(("type", "network")) }, seen, stop.Token);

        // The stream is open once a first event comes through; make some until one does.
        var deadline = DateTime.UtcNow + Patience;
        while (seen.Messages.IsEmpty && DateTime.UtcNow < deadline)
        {
            await docker.Networks.CreateNetworkAsync(new NetworksCreateParameters { Name = "warm" + Guid.NewGuid().ToString("N")[..8] }, default);
            await Task.Delay(200);
        }
        var created = await docker.Networks.CreateNetworkAsync(new NetworksCreateParameters { Name = "watched" }, default);
        Sandbox(w, new SandboxCreateJson { Name = "s", Network = "watched" });
        await docker.Networks.DisconnectNetworkAsync("watched", new NetworkDisconnectParameters { Container = "s" }, default);
        await docker.Networks.DeleteNetworkAsync("watched", default);
        var sandbox = w.Get("containers/s/json", DaemonJson.Default.ContainerInspectJson).Id;

        deadline = DateTime.UtcNow + Patience;
        while (!seen.Messages.Any(m => m.Action == "destroy" && m.Actor.ID == created.ID) && DateTime.UtcNow < deadline) await Task.Delay(50);
        await stop.CancelAsync();
        try
        {
            await watching;
        }
        catch (OperationCanceledException)
        {
        }

        var ours = seen.Messages.Where(m => m.Actor.ID == created.ID).ToList();
        Assert.Equal(["create", "connect", "disconnect", "destroy"], ours.Select(m => m.Action));
        Assert.All(seen.Messages, m => Assert.Equal("network", m.Type));
        Assert.Equal(sandbox, ours[1].Actor.Attributes["container"]);
        Assert.Equal("watched", ours[1].Actor.Attributes["name"]);
        Assert.Equal("bridge", ours[1].Actor.Attributes["type"]);
        Assert.Equal("local", ours[1].Scope);
        Assert.True(ours[1].TimeNano > 0);
    }

    private sealed class Collector : IProgress<Message>
    {
        public ConcurrentQueue<Message> Messages { get; } = new();

        public void Report(Message value) => Messages.Enqueue(value);
    }
}
