using System.Globalization;
using Plexus.Kernel.Namespaces;
using Plexus.Kernel.Rtnl;
using Plexus.Kernel.Rtnl.LinkKinds;
using Plexus.Testing;

namespace Plexus.Kernel.Tests.Privileged;

/// <summary>One RtNetlink over several sockets, shared by many threads, as plexusd's host namespace is.</summary>
[Trait("Category", "Privileged")]
public sealed class SharedSocketsTests
{
    [PrivilegedFact]
    public void Threads_sharing_a_few_sockets_all_get_their_answers_and_leave_every_socket_free_even_after_failures()
    {
        using var net = new TestNetwork();
        using var rt = net.HostNs.Run(() => RtNetlink.Open(sockets: 3));
        const int threads = 8, each = 25;
        using var start = new Barrier(threads);
        var workers = Enumerable.Range(0, threads).Select(t => Task.Factory.StartNew(() =>
        {
            start.SignalAndWait(TimeSpan.FromMinutes(1));
            for (int i = 0; i < each; i++)
            {
                var name = string.Create(CultureInfo.InvariantCulture, $"sh{t}-{i}");
                rt.CreateLink(new BridgeSpec(name));
                Assert.Equal(name, rt.GetLink(name).Name);
                rt.DeleteLink(name);
                Assert.ThrowsAny<KernelException>(() => rt.DeleteLink(name)); // a failed request leaves its socket free too
            }
        }, TaskCreationOptions.LongRunning)).ToArray();
        Assert.True(Task.WaitAll(workers, TimeSpan.FromMinutes(2)), "the requests did not all finish");
        Assert.DoesNotContain(rt.ListLinks(), l => l.Name.StartsWith("sh", StringComparison.Ordinal));
        // Counted in and out of every socket: none looks busy now, so the next request takes the first free one.
        Assert.All(rt.Connections, c => Assert.False(c.InUse));
    }
}
