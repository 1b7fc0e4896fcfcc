using Plexus.Api;
using Plexus.Testing;

namespace Plexus.Daemon.Tests;

/// <summary>
/// plexusd answers /_ping while its engine opens and restores; a request on state waits for the engine, so the
/// first answer after a restart already shows what restore rebuilt, never a sandbox whose interface is missing.
/// </summary>
[Trait("Category", "Privileged")]
public sealed class StartupGateTests
{
    [PrivilegedFact]
    public void The_first_answer_after_a_restart_reports_only_what_restore_rebuilt()
    {
        using var w = new DaemonWorld();
        w.Start();
        Assert.Equal(0, w.Docker("network", "create", "--subnet", "10.78.0.0/24", "gate").ExitCode);
        const int count = 6;
        for (int i = 0; i < count; i++)
            using (var r = w.Post("plexus/sandboxes", new SandboxCreateJson { Name = $"g{i}", Network = "gate" }, DaemonJson.Default.SandboxCreateJson))
                Assert.True(r.IsSuccessStatusCode);
        // Every sandbox loses its interface while the daemon is down: restore must rebuild each one.
        var namespaces = Directory.EnumerateFiles(Path.Combine(w.ExecRoot, "netns")).ToList();
        Assert.Equal(count, namespaces.Count);
        foreach (var ns in namespaces)
        {
            var (code, output) = Processes.Run("nsenter", [$"--net={ns}", "ip", "link", "del", "eth0"]);
            Assert.True(code == 0, output);
        }
        w.Stop();

        w.Launch();
        // Only /_ping, as a client that has just started the daemon would ask (DaemonWorld.Start also waits for /networks).
        Assert.True(Eventually(() => Ping(w)), $"plexusd did not answer /_ping: {w.Log}");
        var net = w.Get("networks/gate", DaemonJson.Default.NetworkJson);
        Assert.Equal(count, net.Containers.Count);
        foreach (var c in net.Containers.Values)
        {
            var addr = w.Exec(c.Name, "ip", "-4", "-o", "addr", "show", "eth0");
            Assert.Equal(0, addr.ExitCode);
            Assert.Contains(c.IPv4Address, addr.Output, StringComparison.Ordinal);
        }
        for (int i = 0; i < count; i++)
            using (var r = w.Http.DeleteAsync($"plexus/sandboxes/g{i}?force=true").Result)
                Assert.True(r.IsSuccessStatusCode);
        Assert.Equal(0, w.Docker("network", "rm", "gate").ExitCode);
    }

    private static bool Ping(DaemonWorld w)
    {
        try
        {
            return w.Http.GetStringAsync("_ping").Result == "OK";
        }
        catch (AggregateException)
        {
            return false;
        }
    }

    private static bool Eventually(Func<bool> condition)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromMinutes(2))
        {
            if (condition()) return true;
            Thread.Sleep(20);
        }
        return false;
    }
}
