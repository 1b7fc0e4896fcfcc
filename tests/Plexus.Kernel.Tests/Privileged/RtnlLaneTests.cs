using System.Collections.Concurrent;
using System.Globalization;
using Plexus.Kernel.Netlink;
using Plexus.Kernel.Rtnl;
using Plexus.Kernel.Rtnl.LinkKinds;
using Plexus.Testing;

namespace Plexus.Kernel.Tests.Privileged;

/// <summary>The lane that sends overlapping rtnetlink requests one at a time (it is process-wide, so these run alone).</summary>
[Trait("Category", "Privileged")]
[Collection(RtnlLaneCollection.Name)]
public sealed class RtnlLaneTests
{
    public RtnlLaneTests() => RtnlLane.Enabled = true; // as plexusd turns it on; it stays on for the tests after these


    private const int Threads = 8;
    private const int LinksPerThread = 40;

    [PrivilegedFact]
    public void Overlapping_requests_from_namespace_workers_all_run_and_each_caller_gets_its_own_failure()
    {
        using var net = new TestNetwork();
        var sandboxes = Enumerable.Range(0, Threads).Select(i => net.Add("s" + i.ToString(CultureInfo.InvariantCulture))).ToList();
        long before = RtnlLane.LaneSends;
        var failures = new ConcurrentBag<(int Thread, string Message)>();
        using var start = new Barrier(Threads);
        // Each thread is a namespace worker inside a sandbox (as the daemon's are): the lane may be started from there.
        var pool = new Plexus.Kernel.Namespaces.NamespaceThread(Threads);
        var workers = sandboxes.Select((s, t) => pool.RunAsync(s.Ns, () =>
        {
            start.SignalAndWait(TimeSpan.FromMinutes(1));
            for (int i = 0; i < LinksPerThread; i++)
            {
                var name = $"d{t}-{i}";
                s.Rt.CreateLink(new BridgeSpec(name));
                s.Rt.SetUp(s.Rt.GetLink(name).Index);
                // one that fails, among everyone else's that do not: the failure is this caller's, named as its own
                var e = Assert.ThrowsAny<KernelException>(() => s.Rt.DeleteLink($"none{t}-{i}"));
                failures.Add((t, e.Message));
            }
            return true;
        })).ToArray();
        Assert.True(Task.WaitAll(workers, TimeSpan.FromMinutes(2)), "the requests did not all finish");

        for (int t = 0; t < Threads; t++)
        {
            var links = sandboxes[t].Rt.ListLinks().Where(l => l.Name.StartsWith('d')).ToList();
            Assert.Equal(LinksPerThread, links.Count);
            Assert.All(links, l => Assert.True(l.IsUp));
        }
        Assert.Equal(Threads * LinksPerThread, failures.Count);
        Assert.All(failures, f => Assert.Contains($"'none{f.Thread}-", f.Message, StringComparison.Ordinal));
        Assert.True(RtnlLane.LaneSends > before, "eight threads' requests overlapped and none went through the lane");
        AssertLaneThreadAtHome();
    }

    [PrivilegedFact]
    public void A_lone_caller_sends_straight_to_the_kernel()
    {
        using var net = new TestNetwork();
        Assert.True(SpinWait.SpinUntil(() => !RtnlLane.Engaged, TimeSpan.FromSeconds(10)), "the lane never disengaged");
        long before = RtnlLane.LaneSends;
        for (int i = 0; i < 50; i++)
        {
            net.Host.CreateLink(new BridgeSpec("lone" + i.ToString(CultureInfo.InvariantCulture)));
            net.Host.DeleteLink("lone" + i.ToString(CultureInfo.InvariantCulture));
        }
        Assert.Equal(before, RtnlLane.LaneSends);
        Assert.False(RtnlLane.Engaged);
    }

    /// <summary>The lane thread is in the process's network namespace, whoever started it, at the lane's priority (tests run as root).</summary>
    private static void AssertLaneThreadAtHome()
    {
        int tid = RtnlLane.LaneThreadId;
        Assert.NotEqual(0, tid);
        Assert.Equal(NamespaceLink("/proc/self/ns/net"), NamespaceLink($"/proc/self/task/{tid}/ns/net"));
        // fields 40 and 41 of stat (rt_priority, policy), counted from after the command's closing parenthesis
        var stat = File.ReadAllText($"/proc/self/task/{tid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        Assert.Equal(RtnlLane.LanePriority, int.Parse(fields[37], CultureInfo.InvariantCulture));
        Assert.Equal(1, int.Parse(fields[38], CultureInfo.InvariantCulture)); // SCHED_FIFO
    }

    private static string NamespaceLink(string path) => new FileInfo(path).LinkTarget ?? "";
}

/// <summary>The lane is one for the whole process: tests that count what went through it run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RtnlLaneCollection
{
    public const string Name = "rtnl-lane";
}
