using System.Net;
using System.Net.Http.Json;
using Plexus.Api;
using Plexus.Engine.Store;
using Plexus.Testing;

namespace Plexus.Daemon.Tests;

/// <summary>Requests that race each other through the API, as an operator's scripts make them.</summary>
[Trait("Category", "Privileged")]
public sealed class RaceTests
{
    /// <summary>
    /// Issue 11: `run -d NAME` racing `rm -f NAME` leaked the started process into a deleted namespace and
    /// left store records the API did not show (14 of 60 rounds). Whatever the interleaving, a sandbox that
    /// exists runs its process in its own namespace, one that is gone has no process and no record, and
    /// after a restart no process started by Plexus runs without its sandbox.
    /// </summary>
    [PrivilegedFact]
    public async Task Run_racing_rm_leaves_no_process_without_its_sandbox_and_no_hidden_record()
    {
        using var w = new DaemonWorld();
        var sleep = ProcessScan.UniqueSleep();
        try
        {
            w.Start();
            Assert.Equal(0, w.Docker("network", "create", "--subnet", "10.79.0.0/24", "web").ExitCode);
            for (int round = 0; round < 40; round++)
            {
                var name = $"r{round}";
                var run = w.Http.PostAsJsonAsync("plexus/sandboxes",
                    new SandboxCreateJson { Name = name, Network = "web", Publish = ["80"], Cmd = [.. sleep] }, DaemonJson.Default.SandboxCreateJson);
                var rm = Task.Run(async () =>
                {
                    // rm -f as soon as the name exists, at a different point of the run in each round, and
                    // once more after the run answered, so every round ends with the sandbox removed.
                    await Task.Delay(round % 8);
                    while (true)
                    {
                        bool last = run.IsCompleted;
                        using var r = await w.Http.DeleteAsync($"plexus/sandboxes/{name}?force=1");
                        if (r.IsSuccessStatusCode) return;
                        Assert.True(r.StatusCode == HttpStatusCode.NotFound, $"round {round}: rm -f answered {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
                        if (last) return;
                        await Task.Delay(1);
                    }
                });
                using var created = await run;
                await rm;
                AssertConsistent(w, sleep, $"round {round} (run answered {(int)created.StatusCode})");
                Assert.Empty(w.Get("containers/json?all=1", DaemonJson.Default.ListContainerSummaryJson));
            }

            w.Kill();
            w.Start();
            AssertConsistent(w, sleep, "after a restart");
            foreach (var s in w.Get("containers/json?all=1", DaemonJson.Default.ListContainerSummaryJson))
                using (var r = await w.Http.DeleteAsync($"plexus/sandboxes/{s.Id}?force=1"))
                    Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
            Assert.Empty(ProcessScan.Running(sleep));
        }
        finally
        {
            ProcessScan.KillAll(sleep);
        }
    }

    /// <summary>
    /// The API, the store and the processes agree: each running sandbox's process is in its namespace, no other
    /// runs. A process started a moment ago may still be on its way to exec'ing its command: give it time.
    /// </summary>
    private static void AssertConsistent(DaemonWorld w, string[] sleep, string when)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                AssertConsistentNow(w, sleep, when);
                return;
            }
            catch (Xunit.Sdk.XunitException) when (attempt < 300)
            {
                Thread.Sleep(100);
            }
        }
    }

    private static void AssertConsistentNow(DaemonWorld w, string[] sleep, string when)
    {
        var sandboxes = w.Get("containers/json?all=1", DaemonJson.Default.ListContainerSummaryJson);
        using (var store = new SqliteStore(w.DataRoot))
        {
            var stored = store.Load();
            Assert.True(sandboxes.Select(s => s.Id).Order().SequenceEqual(stored.Sandboxes.Select(s => s.Id).Order()),
                $"{when}: the API shows [{string.Join(", ", sandboxes.Select(s => s.Names[0]))}] but the store holds [{string.Join(", ", stored.Sandboxes.Select(s => s.Name))}]");
            Assert.All(stored.Endpoints, e => Assert.Contains(sandboxes, s => s.Id == e.SandboxId));
        }
        var expected = new HashSet<int>();
        foreach (var s in sandboxes.Where(s => s.State == "running"))
        {
            var inspect = w.Get($"containers/{s.Id}/json", DaemonJson.Default.ContainerInspectJson);
            Assert.Equal(ProcessScan.InodeOf(inspect.NetworkSettings.SandboxKey), ProcessScan.NetNsInode(inspect.State.Pid));
            expected.Add(inspect.State.Pid);
        }
        var running = ProcessScan.Running(sleep);
        Assert.True(expected.SetEquals(running),
            $"{when}: processes [{string.Join(", ", running)}] run, but the API shows [{string.Join(", ", expected)}] running");
    }

    /// <summary>
    /// Issue 11: adopting a path that is not a network namespace hung (a FIFO) or answered 500 (a file), and 40
    /// such requests stalled the whole API. Each gets 400 naming the problem, and other requests go on.
    /// </summary>
    [PrivilegedFact]
    public async Task Adopting_a_path_that_is_not_a_network_namespace_answers_400_and_stalls_nothing()
    {
        using var w = new DaemonWorld();
        w.Start();
        var fifo = Path.Combine(w.Root, "not-a-namespace");
        Assert.Equal(0, Processes.Run("mkfifo", [fifo]).ExitCode);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(120));

        async Task<(HttpStatusCode Status, string Body)> Adopt(string name, string path)
        {
            using var r = await w.Http.PostAsJsonAsync("plexus/sandboxes", new SandboxCreateJson { Name = name, NetnsPath = path },
                DaemonJson.Default.SandboxCreateJson, deadline.Token);
            return (r.StatusCode, await r.Content.ReadAsStringAsync(deadline.Token));
        }

        var flood = Enumerable.Range(0, 40).Select(i => Adopt($"fifo{i}", fifo)).ToArray();
        // Meanwhile unrelated requests are answered.
        for (int i = 0; i < 5; i++)
            Assert.Contains(w.Get("networks", DaemonJson.Default.ListNetworkJson), n => n.Name == "bridge");
        foreach (var (status, body) in await Task.WhenAll(flood))
        {
            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.Contains("is a FIFO, not a network namespace", body, StringComparison.Ordinal);
        }

        foreach (var (path, what) in new[] { ("/etc/passwd", "is a regular file, not a network namespace"), ("/etc", "is a directory"), ("/proc/self/ns/mnt", "mount namespace, not a network namespace"), ("/nonexistent/ns", "no such file") })
        {
            var (status, body) = await Adopt("bad", path);
            Assert.True(status == HttpStatusCode.BadRequest, $"{path}: {(int)status} {body}");
            Assert.Contains(what, body, StringComparison.Ordinal);
        }
        Assert.Empty(w.Get("containers/json?all=1", DaemonJson.Default.ListContainerSummaryJson));
    }
}
