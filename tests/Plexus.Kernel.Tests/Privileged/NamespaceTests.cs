using System.Diagnostics;
using Plexus.Kernel.Namespaces;
using Plexus.Kernel.Rtnl.LinkKinds;
using Plexus.Testing;

namespace Plexus.Kernel.Tests.Privileged;

[Trait("Category", "Privileged")]
public sealed class NamespaceTests
{
    private static string CurrentThreadNamespace() => File.ResolveLinkTarget("/proc/thread-self/ns/net", false)!.Name;

    [PrivilegedFact]
    public void Named_namespaces_are_created_opened_and_deleted()
    {
        using var net = new TestNetwork();
        var (ns, rt) = net.Add("c1");
        Assert.True(net.Directory.Exists("c1"));
        Assert.Contains("c1", net.Directory.List());
        Assert.Contains(net.PathOf("c1"), File.ReadAllText("/proc/self/mounts"), StringComparison.Ordinal);

        // A fresh namespace holds only lo, and it is a different namespace from the host's.
        Assert.Equal(["lo"], rt.ListLinks().Select(l => l.Name));
        Assert.NotEqual(net.HostNs.Identity, ns.Identity);
        using (var again = net.Directory.Open("c1")) Assert.Equal(ns.Identity, again.Identity);

        var dup = Assert.Throws<KernelException>(() => net.Directory.Create("c1"));
        Assert.Contains("already exists", dup.Message, StringComparison.Ordinal);

        net.Directory.Delete("c1");
        Assert.False(net.Directory.Exists("c1"));
        Assert.DoesNotContain(net.PathOf("c1"), File.ReadAllText("/proc/self/mounts"), StringComparison.Ordinal);
        var missing = Assert.Throws<KernelException>(() => net.Directory.Open("c1"));
        Assert.Contains("no namespace named 'c1'", missing.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => net.Directory.Create("a/b"));
    }

    [PrivilegedFact]
    public void A_namespace_is_adopted_by_pid_from_a_process_started_with_unshare()
    {
        using var net = new TestNetwork();
        // A "container started with --net=none": its own namespace, only lo.
        using var proc = Process.Start(new ProcessStartInfo("unshare", ["--net", "--", "sleep", "30"]))!;
        try
        {
            NetworkNamespace? adopted = null;
            for (int i = 0; i < 100 && adopted is null; i++)
            {
                using var candidate = NetworkNamespace.OpenPid(proc.Id);
                if (candidate.Identity != net.HostNs.Identity && File.ResolveLinkTarget($"/proc/{proc.Id}/ns/net", false)!.Name != CurrentThreadNamespace())
                    adopted = NetworkNamespace.OpenPid(proc.Id);
                else Thread.Sleep(20); // unshare has not switched yet
            }
            Assert.NotNull(adopted);
            using (adopted)
            {
                net.Host.CreateLink(new VethSpec("vadopt", "eth0") { PeerNamespace = adopted });
                using var inside = adopted.OpenRtNetlink();
                Assert.NotNull(inside.FindLink("eth0"));
                var (code, output) = Processes.Run("nsenter", [$"--net=/proc/{proc.Id}/ns/net", "ip", "-o", "link", "show", "eth0"]);
                Assert.Equal(0, code);
                Assert.Contains("eth0", output, StringComparison.Ordinal);
            }
        }
        finally
        {
            proc.Kill();
            proc.WaitForExit();
        }
        var gone = Assert.Throws<KernelException>(() => NetworkNamespace.OpenPid(proc.Id));
        Assert.Contains($"no process with PID {proc.Id}", gone.Message, StringComparison.Ordinal);
    }

    [PrivilegedFact]
    public void Sysctls_are_per_namespace()
    {
        using var net = new TestNetwork();
        var (a, _) = net.Add("a");
        var (b, _) = net.Add("b");
        a.SetSysctl(Sysctl.IPv4Forwarding, "1");
        Assert.Equal("1", a.GetSysctl(Sysctl.IPv4Forwarding));
        Assert.Equal("0", b.GetSysctl(Sysctl.IPv4Forwarding));
        a.SetSysctl(Sysctl.RouteLocalnet("lo"), "1");
        Assert.Equal("1", net.Exec("a", "cat", "/proc/sys/net/ipv4/conf/lo/route_localnet").Output.Trim());
        Assert.Equal("0", net.Exec("b", "cat", "/proc/sys/net/ipv4/conf/lo/route_localnet").Output.Trim());
        var missing = Assert.Throws<KernelException>(() => a.SetSysctl("net/ipv4/conf/nosuch0/forwarding", "1"));
        Assert.Contains("no such sysctl", missing.Message, StringComparison.Ordinal);
    }

    [PrivilegedFact]
    public async Task Work_in_a_namespace_never_leaves_a_pool_thread_elsewhere()
    {
        using var net = new TestNetwork();
        var (ns, _) = net.Add("c1");
        string home = CurrentThreadNamespace();
        var inside = ns.Run(CurrentThreadNamespace);
        Assert.NotEqual(home, inside);
        Assert.Equal(home, CurrentThreadNamespace());

        // Work that throws still returns its worker home, and the error reaches the caller.
        var error = Assert.Throws<InvalidOperationException>(() => ns.Run(new Action(() => throw new InvalidOperationException("boom"))));
        Assert.Equal("boom", error.Message);

        // Many concurrent callers on pool threads: every pool thread stays in the test's namespace.
        var seen = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(() =>
        {
            var there = ns.Run(CurrentThreadNamespace);
            return (there, here: CurrentThreadNamespace());
        })));
        Assert.All(seen, s => Assert.Equal(inside, s.there));
        Assert.All(seen, s => Assert.Equal(home, s.here));

        // Nested work inside a worker enters the second namespace and comes back to the first.
        var (other, _) = net.Add("c2");
        var (outerBefore, nested, outerAfter) = ns.Run(() => (CurrentThreadNamespace(), other.Run(CurrentThreadNamespace), CurrentThreadNamespace()));
        Assert.Equal(inside, outerBefore);
        Assert.Equal(inside, outerAfter);
        Assert.NotEqual(inside, nested);
    }

    [PrivilegedFact]
    public void Sockets_opened_in_a_namespace_keep_working_there_from_any_thread()
    {
        using var net = new TestNetwork();
        var (_, rt) = net.Add("c1");
        rt.CreateLink(new BridgeSpec("inside0"));
        // rt was opened on a worker inside c1; it is used here from the test thread.
        Assert.NotNull(rt.FindLink("inside0"));
        Assert.Null(net.Host.FindLink("inside0"));
        Assert.Contains("inside0", net.Exec("c1", "ip", "-o", "link").Output, StringComparison.Ordinal);
    }

    /// <summary>
    /// Issue 11: opening a FIFO as a namespace blocked forever, and a regular file "opened" fine and failed later.
    /// Anything but a network namespace is refused at once, saying what it is.
    /// </summary>
    [PrivilegedFact]
    public async Task Only_a_network_namespace_is_opened_and_anything_else_is_refused_without_blocking()
    {
        var dir = Directory.CreateTempSubdirectory("plexus-ns-open-").FullName;
        try
        {
            var fifo = Path.Combine(dir, "fifo");
            Assert.Equal(0, Processes.Run("mkfifo", [fifo]).ExitCode);
            var cases = new[]
            {
                (fifo, "is a FIFO, not a network namespace"),
                ("/etc/passwd", "is a regular file, not a network namespace"),
                (dir, "is a directory, not a network namespace"),
                ("/dev/null", "is a character device, not a network namespace"),
                ("/proc/self/ns/mnt", "is a mount namespace, not a network namespace"),
                ("/proc/self/ns/uts", "is a UTS namespace, not a network namespace"),
                (Path.Combine(dir, "missing"), "no such file"),
            };
            foreach (var (path, expected) in cases)
            {
                var open = Task.Run(() => NetworkNamespace.OpenPath(path));
                var e = await Assert.ThrowsAsync<KernelException>(() => open.WaitAsync(TimeSpan.FromSeconds(30)));
                Assert.Contains(expected, e.Message, StringComparison.Ordinal);
            }
            using var own = NetworkNamespace.OpenPath("/proc/self/ns/net");
            using var byPid = NetworkNamespace.OpenPid(Environment.ProcessId);
            Assert.Equal(own.Identity, byPid.Identity);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
