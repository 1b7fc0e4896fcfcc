using Plexus.Kernel.Namespaces;
using Plexus.Kernel.Rtnl.LinkKinds;
using Plexus.Testing;

namespace Plexus.Kernel.Tests.Privileged;

/// <summary>RunAsync and OpenRtNetlinkAsync: namespace work queued so the caller can do its own meanwhile.</summary>
[Trait("Category", "Privileged")]
public sealed class NamespaceRunAsyncTests
{
    private static string CurrentThreadNamespace() => File.ResolveLinkTarget("/proc/thread-self/ns/net", false)!.Name;

    [PrivilegedFact]
    public async Task A_socket_opened_asynchronously_belongs_to_the_namespace()
    {
        using var net = new TestNetwork();
        var (ns, _) = net.Add("c1");
        // The overlap an attach uses: the socket is being opened in c1 while the host creates the veth pair.
        var opening = ns.OpenRtNetlinkAsync();
        net.Host.CreateLink(new VethSpec("vasync", "eth0") { PeerNamespace = ns });
        using var inside = await opening;
        Assert.NotNull(inside.FindLink("eth0"));
        Assert.Null(inside.FindLink("vasync"));
        Assert.Null(net.Host.FindLink("eth0"));
    }

    [PrivilegedFact]
    public async Task Work_runs_inside_the_namespace_and_the_caller_stays_home()
    {
        using var net = new TestNetwork();
        var (ns, _) = net.Add("c1");
        string home = CurrentThreadNamespace();
        string inside = await ns.RunAsync(CurrentThreadNamespace);
        Assert.NotEqual(home, inside);
        Assert.Equal(inside, ns.Run(CurrentThreadNamespace));
        Assert.Equal(home, CurrentThreadNamespace());
    }

    [PrivilegedFact]
    public async Task An_exception_in_the_work_faults_the_task_and_the_worker_goes_home()
    {
        using var net = new TestNetwork();
        var (ns, _) = net.Add("c1");
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ns.RunAsync<int>(() => throw new InvalidOperationException("boom")));
        Assert.Equal("boom", error.Message);
        // The worker that ran it is back home: the next work item still lands in the right namespace.
        var (other, _) = net.Add("c2");
        Assert.Equal(other.Run(CurrentThreadNamespace), await other.RunAsync(CurrentThreadNamespace));
    }

    [PrivilegedFact]
    public void Called_on_a_worker_it_runs_at_once_and_returns_to_the_outer_namespace()
    {
        using var net = new TestNetwork();
        var (outer, _) = net.Add("c1");
        var (inner, _) = net.Add("c2");
        var (completed, there, back) = outer.Run(() =>
        {
            var task = inner.RunAsync(CurrentThreadNamespace);
            return (task.IsCompleted, task.Result, CurrentThreadNamespace());
        });
        Assert.True(completed);
        Assert.Equal(inner.Run(CurrentThreadNamespace), there);
        Assert.Equal(outer.Run(CurrentThreadNamespace), back);
    }
}
