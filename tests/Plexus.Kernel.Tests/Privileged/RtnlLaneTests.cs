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
public sealed class RtnlLaneTests : IDisposable
{
    public RtnlLaneTests() => RtnlLane.Enabled = true; // as plexusd turns it on

    public void Dispose() => RtnlLane.Enabled = false; // as every other process, and the other tests, have it


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
                // one that fails (the name is taken), among everyone else's that do not: the failure is this caller's,
                // named as its own (a creation goes through the lane; deletions and dumps never do)
                var e = Assert.ThrowsAny<KernelException>(() => s.Rt.CreateLink(new BridgeSpec(name)));
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
        Assert.All(failures, f => Assert.Contains($"'d{f.Thread}-", f.Message, StringComparison.Ordinal));
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

    [Theory]
    [InlineData(16, 0x0605, true)] // RTM_NEWLINK with CREATE|EXCL|ACK|REQUEST: a creation
    [InlineData(19, 0x0005, true)] // RTM_SETLINK
    [InlineData(20, 0x0605, true)] // RTM_NEWADDR
    [InlineData(24, 0x0105, true)] // RTM_NEWROUTE with REPLACE (0x100, the bit a dump's ROOT is for GETs)
    [InlineData(21, 0x0005, true)] // RTM_DELADDR
    [InlineData(17, 0x0005, false)] // RTM_DELLINK: waits for references and RCU after the lock
    [InlineData(18, 0x0301, false)] // RTM_GETLINK dump
    [InlineData(18, 0x0005, false)] // RTM_GETLINK of one link
    [InlineData(26, 0x0301, false)] // RTM_GETROUTE dump
    public void Only_changes_done_under_the_lock_go_through_the_lane(ushort type, ushort flags, bool lane)
    {
        var header = new byte[16];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(header, 16);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(4), type);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(6), flags);
        Assert.Equal(lane, RtnlLane.ForTheLane(header));
    }

    /// <summary>The lane thread is in the process's network namespace, whoever started it, at the lane's priority.</summary>
    private static void AssertLaneThreadAtHome()
    {
        int tid = RtnlLane.LaneThreadId;
        Assert.NotEqual(0, tid);
        Assert.Equal(NamespaceLink("/proc/self/ns/net"), NamespaceLink($"/proc/self/task/{tid}/ns/net"));
        // fields 19, 40 and 41 of stat (nice, rt_priority, policy), counted from after the command's closing parenthesis
        var stat = File.ReadAllText($"/proc/self/task/{tid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        int rtPriority = int.Parse(fields[37], CultureInfo.InvariantCulture), policy = int.Parse(fields[38], CultureInfo.InvariantCulture);
        int nice = int.Parse(fields[16], CultureInfo.InvariantCulture);
        // SCHED_FIFO at the lane's priority; where real-time is refused (a cgroup without real-time time), nice -10
        Assert.True((policy == 1 && rtPriority == RtnlLane.LanePriority) || (policy == 0 && nice == RtnlLane.LaneNice),
            $"lane thread: policy {policy}, real-time priority {rtPriority}, nice {nice}");
    }

    private static string NamespaceLink(string path) => new FileInfo(path).LinkTarget ?? "";
}

/// <summary>The lane is one for the whole process: tests that count what went through it run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RtnlLaneCollection
{
    public const string Name = "rtnl-lane";
}
