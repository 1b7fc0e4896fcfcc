using System.Net;
using Plexus.Kernel.Rtnl;
using Plexus.Kernel.Rtnl.LinkKinds;
using Plexus.Testing;
using Plexus.Kernel.Types;

namespace Plexus.Kernel.Tests.Privileged;

[Trait("Category", "Privileged")]
public sealed class NeighbourTests
{
    [PrivilegedFact]
    public void Arp_entries_are_added_listed_and_deleted()
    {
        using var net = new TestNetwork();
        var h = net.Host;
        int d0 = h.UpLink("d0");
        h.AddAddress(d0, IPPrefix.Parse("10.50.0.1/24"));
        var entry = new Neighbour { Family = NeighbourFamily.IPv4, Index = d0, Destination = IPAddress.Parse("10.50.0.9"), Mac = MacAddress.Parse("02:42:0a:32:00:09") };
        h.AddNeighbour(entry);

        var listed = Assert.Single(h.ListNeighbours(NeighbourFamily.IPv4, d0), n => n.Destination!.Equals(entry.Destination));
        Assert.Equal(entry.Mac, listed.Mac);
        Assert.Equal(NeighbourState.Permanent, listed.State);
        var ip = Assert.Single(IpJson.Query(net, "host", "neigh", "show", "dev", "d0"));
        Assert.Equal("02:42:0a:32:00:09", ip.Str("lladdr"));

        h.DeleteNeighbour(entry);
        Assert.DoesNotContain(h.ListNeighbours(NeighbourFamily.IPv4, d0), n => n.Destination!.Equals(entry.Destination));
    }

    [PrivilegedFact]
    public void Vxlan_fdb_entries_point_a_mac_at_a_remote_tunnel_end()
    {
        using var net = new TestNetwork();
        var h = net.Host;
        h.AddAddress(h.UpLink("under0"), IPPrefix.Parse("192.0.2.1/24"));
        h.CreateLink(new VxlanSpec("vx1", 100) { Local = IPAddress.Parse("192.0.2.1"), Port = 4789, Learning = false, Up = true });
        int vx = h.GetLink("vx1").Index;
        var mac = MacAddress.Parse("02:42:0a:00:01:05");
        var fdb = new Neighbour { Family = NeighbourFamily.Bridge, Index = vx, Mac = mac, Destination = IPAddress.Parse("192.0.2.7"), Flags = NeighbourFlags.Self };
        h.AddNeighbour(fdb);
        // Two remote ends for the all-zero MAC: the flood list.
        var zero = MacAddress.Parse("00:00:00:00:00:00");
        h.AddNeighbour(fdb with { Mac = zero, Destination = IPAddress.Parse("192.0.2.8") }, append: true);
        h.AddNeighbour(fdb with { Mac = zero, Destination = IPAddress.Parse("192.0.2.9") }, append: true);

        var entries = h.ListNeighbours(NeighbourFamily.Bridge, vx);
        Assert.Contains(entries, n => n.Mac == mac && IPAddress.Parse("192.0.2.7").Equals(n.Destination));
        Assert.Equal(2, entries.Count(n => n.Mac == zero));
        var seen = IpJson.Bridge(net, "host", "fdb", "show", "dev", "vx1");
        Assert.Contains(seen, e => e.Str("mac") == "02:42:0a:00:01:05" && e.Str("dst") == "192.0.2.7");
        Assert.Equal(2, seen.Count(e => e.Str("mac") == "00:00:00:00:00:00"));

        h.DeleteNeighbour(fdb);
        Assert.DoesNotContain(h.ListNeighbours(NeighbourFamily.Bridge, vx), n => n.Mac == mac);
    }
    [PrivilegedFact]
    public void A_vxlan_device_with_proxy_holds_static_arp_entries_for_remote_endpoints()
    {
        using var net = new TestNetwork();
        var h = net.Host;
        h.AddAddress(h.UpLink("under0"), IPPrefix.Parse("192.0.2.1/24"));
        h.CreateLink(new VxlanSpec("vx2", 4097) { Local = IPAddress.Parse("192.0.2.1"), Port = 4789, Learning = false, Proxy = true, Up = true });
        int vx = h.GetLink("vx2").Index;
        var mac = MacAddress.Parse("02:42:0a:0a:00:03");
        var arp = new Neighbour { Family = NeighbourFamily.IPv4, Index = vx, Destination = IPAddress.Parse("10.10.0.3"), Mac = mac };
        h.AddNeighbour(arp);
        h.AddNeighbour(arp, replace: true); // idempotent, as the overlay's watch replays entries

        var data = Assert.Single(IpJson.Query(net, "host", "-d", "link", "show", "vx2")).GetProperty("linkinfo").GetProperty("info_data");
        Assert.True(data.GetProperty("proxy").GetBoolean());
        var listed = Assert.Single(h.ListNeighbours(NeighbourFamily.IPv4, vx), n => IPAddress.Parse("10.10.0.3").Equals(n.Destination));
        Assert.Equal(mac, listed.Mac);
        Assert.Equal(NeighbourState.Permanent, listed.State);

        h.DeleteNeighbour(arp);
        Assert.DoesNotContain(h.ListNeighbours(NeighbourFamily.IPv4, vx), n => IPAddress.Parse("10.10.0.3").Equals(n.Destination));
    }
}
