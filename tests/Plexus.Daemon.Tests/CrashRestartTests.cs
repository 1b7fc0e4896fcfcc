using System.Net.Http.Json;
using Plexus.Api;
using Plexus.Testing;

namespace Plexus.Daemon.Tests;

[Trait("Category", "Privileged")]
public sealed class CrashRestartTests
{
    /// <summary>
    /// SIGKILL while joins are under way, then a restart: every endpoint the daemon reports has its
    /// interfaces, no link is left that nothing claims, no address is held twice, and removing
    /// everything leaves the host namespace as it was.
    /// </summary>
    [PrivilegedFact]
    public async Task A_kill_during_joins_and_a_restart_leave_a_consistent_state()
    {
        using var w = new DaemonWorld();
        w.Start();
        var before = w.HostLinks();
        Assert.Equal(0, w.Docker("network", "create", "--subnet", "10.77.0.0/24", "web").ExitCode);
        const int count = 40;
        for (int i = 0; i < count; i++)
            using (var r = w.Post("plexus/sandboxes", new SandboxCreateJson { Name = $"s{i}" }, DaemonJson.Default.SandboxCreateJson))
                Assert.True(r.IsSuccessStatusCode);

        // Joins in flight from two clients; the daemon is killed once some have completed.
        int done = 0;
        var joins = Enumerable.Range(0, 2).Select(k => Task.Run(async () =>
        {
            for (int i = k; i < count; i += 2)
            {
                try
                {
                    using var r = await w.Http.PostAsJsonAsync("networks/web/connect", new NetworkConnectJson { Container = $"s{i}" }, DaemonJson.Default.NetworkConnectJson);
                    if (r.IsSuccessStatusCode) Interlocked.Increment(ref done);
                }
                catch (HttpRequestException)
                {
                    return; // the daemon is gone
                }
            }
        })).ToArray();
        while (Volatile.Read(ref done) < 10) await Task.Delay(5);
        w.Kill();
        await Task.WhenAll(joins);

        w.Start();
        var net = w.Get("networks/web", DaemonJson.Default.NetworkJson);
        var sandboxes = w.Get("containers/json?all=1", DaemonJson.Default.ListContainerSummaryJson);
        Assert.Equal(count, sandboxes.Count);
        Assert.InRange(net.Containers.Count, 10, count);
        // Addresses unique; every joined sandbox has eth0 with its address and reaches the gateway.
        Assert.Equal(net.Containers.Count, net.Containers.Values.Select(c => c.IPv4Address).Distinct().Count());
        foreach (var (id, c) in net.Containers)
        {
            var addr = w.Exec(c.Name, "ip", "-4", "-o", "addr", "show", "eth0");
            Assert.Contains(c.IPv4Address, addr.Output, StringComparison.Ordinal);
        }
        Assert.Equal(0, w.Exec(net.Containers.Values.First().Name, "busybox", "ping", "-c", "1", "-W", "2", "10.77.0.1").ExitCode);
        // Every veth on the host belongs to a joined endpoint: nothing half-made survived.
        var veths = w.HostLinks().Where(l => l.StartsWith("vpx", StringComparison.Ordinal)).ToList();
        Assert.Equal(net.Containers.Count, veths.Count);
        Assert.All(net.Containers.Values, c => Assert.Contains("vpx" + c.EndpointID[..12], veths));

        // The sandboxes that did not get to join can still join, and get fresh addresses.
        foreach (var s in sandboxes.Where(s => !net.Containers.ContainsKey(s.Id)))
            Assert.Equal(0, w.Docker("network", "connect", "web", s.Names[0].TrimStart('/')).ExitCode);
        net = w.Get("networks/web", DaemonJson.Default.NetworkJson);
        Assert.Equal(count, net.Containers.Count);
        Assert.Equal(count, net.Containers.Values.Select(c => c.IPv4Address).Distinct().Count());

        // Removing everything leaves the host as it was (apart from the daemon's own default bridge).
        foreach (var s in sandboxes)
            using (var r = await w.Http.DeleteAsync($"plexus/sandboxes/{s.Id}"))
                Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
        Assert.Equal(0, w.Docker("network", "rm", "web").ExitCode);
        Assert.Equal(before, w.HostLinks());
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(w.ExecRoot, "netns")));
    }

    [PrivilegedFact]
    public void Sandboxes_keep_their_network_while_the_daemon_is_stopped_and_after_it_restarts()
    {
        using var w = new DaemonWorld();
        w.Start();
        Assert.Equal(0, w.Docker("network", "create", "--subnet", "10.78.0.0/24", "web").ExitCode);
        foreach (var name in new[] { "a", "b" })
            using (var r = w.Post("plexus/sandboxes", new SandboxCreateJson { Name = name, Network = "web" }, DaemonJson.Default.SandboxCreateJson))
                Assert.True(r.IsSuccessStatusCode, r.Content.ReadAsStringAsync().Result);
        var a = w.Get("containers/a/json", DaemonJson.Default.ContainerInspectJson);
        var b = w.Get("containers/b/json", DaemonJson.Default.ContainerInspectJson);

        Assert.Equal(0, w.Stop()); // SIGTERM: clean exit
        // The daemon is down; the sandboxes' namespaces and links are still there and packets flow.
        var (code, output) = Processes.Run("nsenter", [$"--net={a.NetworkSettings.SandboxKey}", "busybox", "ping", "-c", "1", "-W", "2", b.NetworkSettings.IPAddress]);
        Assert.True(code == 0, output);

        w.Start();
        Assert.Equal(b.NetworkSettings.IPAddress, w.Get("containers/b/json", DaemonJson.Default.ContainerInspectJson).NetworkSettings.IPAddress);
        Assert.Equal(0, w.Exec("b", "busybox", "ping", "-c", "1", "-W", "2", a.NetworkSettings.IPAddress).ExitCode);
    }

    /// <summary>
    /// Issue 11: `network disconnect -f` answered 404 for an endpoint whose sandbox was gone, so the network
    /// could never be removed. As Docker's, it removes the network's endpoint of that name.
    /// </summary>
    [PrivilegedFact]
    public void Network_disconnect_force_removes_an_endpoint_by_name_whatever_became_of_its_sandbox()
    {
        using var w = new DaemonWorld();
        w.Start();
        Assert.Equal(0, w.Docker("network", "create", "--subnet", "10.76.0.0/24", "web").ExitCode);
        using (var r = w.Post("plexus/sandboxes", new SandboxCreateJson { Name = "c1", Network = "web" }, DaemonJson.Default.SandboxCreateJson))
            Assert.True(r.IsSuccessStatusCode, r.Content.ReadAsStringAsync().Result);
        Assert.Equal(0, w.Stop());
        // An endpoint of no sandbox, as another tool (or an older Plexus) may leave one: created on its own, not joined.
        using (var store = new Engine.Store.SqliteStore(w.DataRoot))
        {
            var net = store.Load().Networks.Single(n => n.Name == "web");
            store.Commit(new Engine.Store.StoreBatch().Put(new Engine.Model.EndpointState
            {
                Id = Engine.Model.Ids.New(),
                Name = "ghost",
                NetworkId = net.Id,
                IPv4 = Kernel.Types.IPPrefix.Parse("10.76.0.9/24"),
                Standalone = true,
            }));
        }
        w.Start();

        var plain = w.Docker("network", "disconnect", "web", "ghost");
        Assert.NotEqual(0, plain.ExitCode);
        Assert.Contains("ghost not found", plain.Output, StringComparison.Ordinal);
        var forced = w.Docker("network", "disconnect", "-f", "web", "ghost");
        Assert.True(forced.ExitCode == 0, forced.Output);
        Assert.Contains("not found", w.Docker("network", "disconnect", "-f", "web", "nobody").Output, StringComparison.Ordinal);
        // -f on a joined sandbox is an ordinary disconnect.
        Assert.Equal(0, w.Docker("network", "disconnect", "-f", "web", "c1").ExitCode);
        var rm = w.Docker("network", "rm", "web");
        Assert.True(rm.ExitCode == 0, rm.Output);
    }
}
