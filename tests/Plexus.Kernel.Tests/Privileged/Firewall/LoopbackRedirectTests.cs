using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Plexus.Kernel.Firewall.Nftables;
using Plexus.Kernel.Netlink;
using Plexus.Kernel.Tests.Unit;
using Plexus.Testing;

namespace Plexus.Kernel.Tests.Privileged.Firewall;

/// <summary>The embedded resolver's redirect of 127.0.0.11:53, written as a raw nf_tables batch in a sandbox's namespace.</summary>
[Trait("Category", "Privileged")]
[Collection(DescriptorHungryCollection.Name)]
public sealed class LoopbackRedirectTests
{
    private static readonly IPAddress Resolver = IPAddress.Parse("127.0.0.11");

    [PrivilegedFact]
    public void A_datagram_to_port_53_arrives_on_the_redirected_port_and_a_new_redirect_replaces_the_old()
    {
        using var net = new TestNetwork();
        var (ns, rt) = net.Add("sandbox");
        rt.SetUp(1);
        using var first = ns.Run(() => Bound());
        using var second = ns.Run(() => Bound());
        using var redirect = LoopbackRedirect.Open(ns);
        redirect.Apply(Resolver, 53, Port(first), 40002);
        redirect.Apply(Resolver, 53, Port(second), 40003); // replaces: one table, the new ports

        var listing = net.Exec("sandbox", "nft", "list", "table", "ip", LoopbackRedirect.Table).Output;
        Assert.True(listing.Contains("priority dstnat;", StringComparison.Ordinal) || listing.Contains("priority -100;", StringComparison.Ordinal), listing);
        Assert.Contains("type nat hook output priority", listing, StringComparison.Ordinal);
        Assert.Contains($"ip daddr 127.0.0.11 udp dport 53 dnat to 127.0.0.11:{Port(second)}", listing, StringComparison.Ordinal);
        Assert.Contains("ip daddr 127.0.0.11 tcp dport 53 dnat to 127.0.0.11:40003", listing, StringComparison.Ordinal);
        Assert.Contains("comment \"plexus: 127.0.0.11:53 is served on another port; 53 stays free\"", listing, StringComparison.Ordinal);
        Assert.DoesNotContain(Port(first).ToString(System.Globalization.CultureInfo.InvariantCulture), listing, StringComparison.Ordinal);

        ns.Run(() =>
        {
            using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            client.SendTo("ping"u8.ToArray(), new IPEndPoint(Resolver, 53));
        });
        second.ReceiveTimeout = 10_000;
        var buffer = new byte[16];
        Assert.Equal(4, second.Receive(buffer));

        redirect.Remove();
        redirect.Remove(); // nothing there: not an error
        Assert.DoesNotContain(LoopbackRedirect.Table, net.Exec("sandbox", "nft", "list", "tables").Output, StringComparison.Ordinal);
    }

    /// <summary>
    /// libnftables waits with select(2), which aborts the process when its socket's descriptor is 1024 or more: with a
    /// few hundred sandboxes plexusd died on the next first join. The raw batch has no such limit.
    /// </summary>
    [PrivilegedFact]
    public void It_works_when_the_process_holds_more_than_1024_descriptors()
    {
        using var net = new TestNetwork();
        var (ns, rt) = net.Add("sandbox");
        rt.SetUp(1);
        var held = new List<FileStream>();
        try
        {
            for (int i = 0; i < 1100; i++) held.Add(new FileStream("/dev/null", FileMode.Open, FileAccess.Read));
            using var redirect = LoopbackRedirect.Open(ns);
            redirect.Apply(Resolver, 53, 40001, 40002);
        }
        finally
        {
            foreach (var f in held) f.Dispose();
        }
        Assert.Contains("dnat to 127.0.0.11:40001", net.Exec("sandbox", "nft", "list", "table", "ip", LoopbackRedirect.Table).Output, StringComparison.Ordinal);
    }

    /// <summary>
    /// Closing a netfilter socket waits out an RCU grace period holding the namespace's nf_tables mutex, which links
    /// created or renamed there wait for under the rtnl lock: the socket is kept while the redirect lives, and
    /// closed by the closer thread once disposed, never by the caller.
    /// </summary>
    [PrivilegedFact]
    public void The_socket_is_kept_across_changes_and_closed_on_the_closer_thread_after_dispose()
    {
        using var net = new TestNetwork();
        var (ns, rt) = net.Add("sandbox");
        rt.SetUp(1);
        var redirect = LoopbackRedirect.Open(ns);
        int fd = redirect.Descriptor;
        var socket = Link(fd);
        Assert.StartsWith("socket:[", socket, StringComparison.Ordinal);
        redirect.Apply(Resolver, 53, 40001, 40002);
        redirect.Apply(Resolver, 53, 40003, 40004);
        Assert.Equal(socket, Link(fd)); // one socket for every change

        // The closer is held busy: a dispose that closed on the caller's thread would close the socket at once.
        using var busy = new ManualResetEventSlim();
        var closed = new ConcurrentQueue<int>();
        try
        {
            DeferredClose.Enqueue(new DeferredCloseTests.Probe(closed, busy));
            redirect.Dispose();
            redirect.Dispose(); // once is enough
            Assert.Throws<ObjectDisposedException>(() => redirect.Apply(Resolver, 53, 40001, 40002));
            Assert.Equal(socket, Link(fd)); // still open: handed to the closer, not closed here
        }
        finally
        {
            busy.Set();
        }
        Assert.True(SpinWait.SpinUntil(() => Link(fd) != socket, TimeSpan.FromSeconds(30)), "the closer never closed the socket");
        // The table stays: it goes with its namespace.
        Assert.Contains("dnat to 127.0.0.11:40003", net.Exec("sandbox", "nft", "list", "table", "ip", LoopbackRedirect.Table).Output, StringComparison.Ordinal);
    }

    /// <summary>
    /// A thread starts in its creator's namespace, and the first close may come from a namespace worker inside a
    /// sandbox: the closer must live in the process's namespace, or it would keep that sandbox's namespace alive.
    /// </summary>
    [PrivilegedFact]
    public void The_closer_thread_lives_in_the_process_namespace_even_when_a_sandbox_queues_a_close()
    {
        using var net = new TestNetwork();
        var (ns, _) = net.Add("sandbox");
        var closed = new ConcurrentQueue<int>();
        ns.Run(() => DeferredClose.Enqueue(new DeferredCloseTests.Probe(closed, null)));
        Assert.True(SpinWait.SpinUntil(() => closed.Count == 1, TimeSpan.FromSeconds(30)), "the closer never closed");
        var process = new FileInfo("/proc/self/ns/net").LinkTarget;
        var closers = Directory.GetDirectories("/proc/self/task")
            .Where(t => Read(Path.Combine(t, "comm")) == "plexus-closer")
            .Select(t => new FileInfo(Path.Combine(t, "ns", "net")).LinkTarget)
            .ToList();
        Assert.Single(closers);
        Assert.Equal(process, closers[0]);
    }

    private static string Read(string path)
    {
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (IOException)
        {
            return "";
        }
    }

    /// <summary>What /proc/self/fd/N names (a socket and its inode), or "" once closed.</summary>
    private static string Link(int fd)
    {
        try
        {
            return new FileInfo($"/proc/self/fd/{fd}").LinkTarget ?? "";
        }
        catch (IOException)
        {
            return "";
        }
    }

    private static Socket Bound()
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(Resolver, 0));
        return s;
    }

    private static int Port(Socket s) => ((IPEndPoint)s.LocalEndPoint!).Port;
}
