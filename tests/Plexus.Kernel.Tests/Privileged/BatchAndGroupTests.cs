using System.Net;
using Plexus.Kernel.Namespaces;
using Plexus.Kernel.Netlink;
using Plexus.Kernel.Rtnl;
using Plexus.Kernel.Rtnl.LinkKinds;
using Plexus.Kernel.Types;
using Plexus.Testing;

namespace Plexus.Kernel.Tests.Privileged;

/// <summary>What a fast attach and detach rely on: batches, echoed creations, links by name, groups deleted whole.</summary>
[Trait("Category", "Privileged")]
public sealed class BatchAndGroupTests
{
    private const uint Group = 0x506c7899;

    [PrivilegedFact]
    public void A_created_veth_is_echoed_with_both_indexes()
    {
        using var net = new TestNetwork();
        var (ns, rt) = net.Add("peer");
        var created = net.Host.CreateLink(new VethSpec("echo0", "eth0") { PeerNamespace = ns });
        Assert.NotNull(created);
        Assert.Equal("echo0", created.Name);
        Assert.Equal(net.Host.GetLink("echo0").Index, created.Index);
        Assert.Equal(rt.GetLink("eth0").Index, created.ParentIndex);
    }

    [PrivilegedFact]
    public void A_batch_runs_every_request_in_order_in_one_datagram()
    {
        using var net = new TestNetwork();
        var (ns, rt) = net.Add("inside");
        var created = net.Host.CreateLink(new VethSpec("b0", "eth0") { PeerNamespace = ns, Up = true })!;
        int eth0 = created.ParentIndex!.Value;
        rt.Batch()
            .SetLink(eth0, new LinkChanges { Up = true })
            .AddAddress(eth0, IPPrefix.Parse("192.0.2.2/24"))
            .ReplaceRoute(Route.DefaultVia(IPAddress.Parse("192.0.2.1"), eth0))
            .Execute();
        Assert.True(rt.GetLink(eth0).IsUp);
        Assert.Contains(rt.ListAddresses(eth0), a => a.Prefix.ToString() == "192.0.2.2/24");
        Assert.Contains(rt.ListRoutes(4), r => r.IsDefault && r.Gateway?.ToString() == "192.0.2.1");
    }

    [PrivilegedFact]
    public void A_failed_request_in_a_batch_is_named_and_the_others_still_run()
    {
        using var net = new TestNetwork();
        var h = net.Host;
        h.CreateLink(new BridgeSpec("bb0"));
        int index = h.GetLink("bb0").Index;
        var e = Assert.Throws<NetlinkException>(() => h.Batch()
            .AddAddress(index, IPPrefix.Parse("198.51.100.1/24"))
            .AddAddress(index, IPPrefix.Parse("198.51.100.1/24"))
            .SetLink(index, new LinkChanges { Up = true })
            .Execute());
        Assert.Contains("add address 198.51.100.1/24", e.Message, StringComparison.Ordinal);
        Assert.Contains("already present", e.Message, StringComparison.Ordinal);
        Assert.True(h.GetLink(index).IsUp);
        // A delete of an address that is gone can count as done.
        h.Batch().DeleteAddress(index, IPPrefix.Parse("203.0.113.9/24"), ifPresent: true).Execute();
        // Only the last request asks for an answer; a failure anywhere is still read before the batch returns.
        var firstFails = Assert.Throws<NetlinkException>(() => h.Batch()
            .AddAddress(index, IPPrefix.Parse("198.51.100.1/24"))
            .AddAddress(index, IPPrefix.Parse("198.51.100.2/24"))
            .Execute());
        Assert.Contains("add address 198.51.100.1/24", firstFails.Message, StringComparison.Ordinal);
        var lastFails = Assert.Throws<NetlinkException>(() => h.Batch()
            .AddAddress(index, IPPrefix.Parse("198.51.100.3/24"))
            .AddAddress(index, IPPrefix.Parse("198.51.100.3/24"))
            .Execute());
        Assert.Contains("add address 198.51.100.3/24", lastFails.Message, StringComparison.Ordinal);
        Assert.Equal(["198.51.100.1/24", "198.51.100.2/24", "198.51.100.3/24"], h.ListAddresses(index, 4).Select(a => a.Prefix.ToString()).Order(StringComparer.Ordinal));
        // A refused change names the changes asked for, though a batch renders them only when the kernel refuses.
        var refused = Assert.Throws<NetlinkException>(() => h.Batch().SetLink(index, new LinkChanges { Mtu = 10 }).Execute());
        Assert.Contains($"change link {index} (", refused.Message, StringComparison.Ordinal);
        Assert.Contains("Mtu = 10", refused.Message, StringComparison.Ordinal);
    }

    [PrivilegedFact]
    public void A_link_is_changed_by_name_and_a_group_is_deleted_whole()
    {
        using var net = new TestNetwork();
        var (ns, rt) = net.Add("peer");
        var h = net.Host;
        for (int i = 0; i < 3; i++) h.CreateLink(new VethSpec($"g{i}", $"p{i}") { PeerNamespace = ns });
        h.CreateLink(new VethSpec("keep0", "keep0p"));
        h.SetLink("g0", new LinkChanges { Group = Group, Up = true });
        h.SetLink("g1", new LinkChanges { Group = Group });
        h.SetLink("g2", new LinkChanges { Group = Group });
        Assert.True(h.GetLink("g0").IsUp);
        Assert.Equal(Group, h.GetLink("g1").Group);
        Assert.Throws<ArgumentException>(() => h.SetLink("g1", new LinkChanges { Name = "other" }));

        Assert.True(h.DeleteGroup(Group));
        Assert.DoesNotContain(h.ListLinks(), l => l.Name.StartsWith('g'));
        Assert.DoesNotContain(rt.ListLinks(), l => l.Name.StartsWith('p')); // the peers went with them
        Assert.NotNull(h.FindLink("keep0"));
        Assert.False(h.DeleteGroup(Group));
        Assert.Throws<ArgumentOutOfRangeException>(() => h.DeleteGroup(0));
    }

    [PrivilegedFact]
    public void The_reaper_deletes_what_is_parked_in_its_group()
    {
        using var net = new TestNetwork();
        var h = net.Host;
        using (var reaper = new LinkReaper(net.HostNs, Group, TimeSpan.FromMilliseconds(50)))
        {
            h.CreateLink(new VethSpec("r0", "r0p"));
            h.SetLink("r0", new LinkChanges { Group = Group });
            reaper.Parked();
            // The link leaves the kernel's dumps before the reaper's thread has read the kernel's answer and counted the batch.
            for (int i = 0; i < 300 && (h.FindLink("r0") is not null || reaper.Batches == 0); i++) Thread.Sleep(50);
            Assert.Null(h.FindLink("r0"));
            Assert.True(reaper.Batches >= 1);
        }
        // Stopped, it leaves parked links for the next start, which deletes them at once.
        var held = new LinkReaper(net.HostNs, Group, Timeout.InfiniteTimeSpan);
        h.CreateLink(new VethSpec("r1", "r1p"));
        h.SetLink("r1", new LinkChanges { Group = Group });
        held.Parked();
        held.Dispose();
        Assert.NotNull(h.FindLink("r1"));
        using var next = new LinkReaper(net.HostNs, Group, Timeout.InfiniteTimeSpan);
        Assert.True(next.ReapNow());
        Assert.Null(h.FindLink("r1"));
    }

    [PrivilegedFact]
    public void Work_for_the_process_namespace_runs_on_the_calling_thread()
    {
        using var self = NetworkNamespace.OpenProcess();
        int caller = Environment.CurrentManagedThreadId;
        Assert.Equal(caller, self.Run(() => Environment.CurrentManagedThreadId));
        using var net = new TestNetwork();
        Assert.NotEqual(caller, net.HostNs.Run(() => Environment.CurrentManagedThreadId));
    }
}
