using System.Net;
using Plexus.Kernel.Rtnl;
using Plexus.Kernel.Rtnl.LinkKinds;
using Plexus.Testing;
using Plexus.Kernel.Types;

namespace Plexus.Kernel.Tests.Privileged;

[Trait("Category", "Privileged")]
public sealed class LinkTests
{
    [PrivilegedFact]
    public void Each_kind_is_created_with_its_options_and_deleted()
    {
        using var net = new TestNetwork();
        var h = net.Host;
        h.CreateLink(new VethSpec("under0", "under0p") { Up = true, Mtu = 1400 });
        int under = h.GetLink("under0").Index;
        h.AddAddress(under, IPPrefix.Parse("192.0.2.1/24"));
        h.CreateLink(new BridgeSpec("br-opts") { StpEnabled = false, ForwardDelay = 300, AgeingTime = 12000, Mtu = 1450 });
        h.CreateLink(new VxlanSpec("vx42", 42) { Local = IPAddress.Parse("192.0.2.1"), Port = 4789, Learning = false, Underlay = under });
        h.CreateLink(new MacvlanSpec("mv0", under, MacvlanMode.Bridge));

        Assert.Equal("veth", h.GetLink("under0").Kind);
        Assert.Equal(h.GetLink("under0p").Index, h.GetLink("under0").ParentIndex);
        Assert.Equal(1400, h.GetLink("under0").Mtu);
        Assert.True(h.GetLink("under0").IsUp);
        Assert.Equal("bridge", h.GetLink("br-opts").Kind);
        Assert.Equal("vxlan", h.GetLink("vx42").Kind);
        Assert.Equal("macvlan", h.GetLink("mv0").Kind);
        Assert.Equal(under, h.GetLink("mv0").ParentIndex);

        // Independent check of the kind-specific options.
        var vx = Assert.Single(IpJson.Query(net, "host", "-d", "link", "show", "vx42"));
        var data = vx.GetProperty("linkinfo").GetProperty("info_data");
        Assert.Equal(42, data.GetProperty("id").GetInt32());
        Assert.Equal(4789, data.GetProperty("port").GetInt32());
        Assert.Equal("192.0.2.1", data.Str("local"));
        Assert.False(data.TryGetProperty("learning", out var learning) && learning.GetBoolean());
        var br = Assert.Single(IpJson.Query(net, "host", "-d", "link", "show", "br-opts"));
        var brData = br.GetProperty("linkinfo").GetProperty("info_data");
        Assert.Equal(300, brData.GetProperty("forward_delay").GetInt32());
        Assert.Equal(12000, brData.GetProperty("ageing_time").GetInt32());
        Assert.Equal(0, brData.GetProperty("stp_state").GetInt32());
        var mv = Assert.Single(IpJson.Query(net, "host", "-d", "link", "show", "mv0"));
        Assert.Equal("bridge", mv.GetProperty("linkinfo").GetProperty("info_data").Str("mode"));

        // dummy: created where the kernel has the driver; where it has not, the error says so plainly.
        try
        {
            h.CreateLink(new DummySpec("dummy0"));
            Assert.Equal("dummy", h.GetLink("dummy0").Kind);
        }
        catch (Netlink.NetlinkException e) when (e.ErrorNumber == Interop.Errno.EOPNOTSUPP)
        {
            Assert.Contains("this kernel does not support 'dummy' links", e.Message, StringComparison.Ordinal);
        }

        h.DeleteLink("mv0");
        h.DeleteLink(h.GetLink("vx42").Index);
        Assert.Null(h.FindLink("mv0"));
        Assert.Null(h.FindLink("vx42"));
    }

    [PrivilegedFact]
    public void Changes_apply_mtu_mac_name_master_and_namespace()
    {
        using var net = new TestNetwork();
        var h = net.Host;
        h.CreateLink(new BridgeSpec("br0"));
        int br = h.GetLink("br0").Index;
        h.CreateLink(new VethSpec("va", "vb"));
        int va = h.GetLink("va").Index;
        var mac = MacAddress.Parse("02:42:0a:00:00:07");

        h.SetLink(va, new LinkChanges { Mtu = 1300, Mac = mac, Name = "va-renamed", MasterIndex = br, Up = true });
        var link = h.GetLink(va);
        Assert.Equal("va-renamed", link.Name);
        Assert.Equal(1300, link.Mtu);
        Assert.Equal(mac, link.Mac);
        Assert.Equal(br, link.MasterIndex);
        Assert.True(link.IsUp);
        Assert.Equal("bridge", link.SlaveKind);

        h.SetNoMaster(va);
        h.SetDown(va);
        Assert.Null(h.GetLink(va).MasterIndex);
        Assert.False(h.GetLink(va).IsUp);

        // Move the other end into a sandbox: it leaves the host and appears there.
        var (ns, rt) = net.Add("c1");
        h.SetLink(h.GetLink("vb").Index, new LinkChanges { Namespace = ns });
        Assert.Null(h.FindLink("vb"));
        Assert.NotNull(rt.FindLink("vb"));
        Assert.Equal("vb", Assert.Single(IpJson.Query(net, "c1", "link", "show", "vb")).Str("ifname"));
    }

    [PrivilegedFact]
    public void Bridge_port_flags_are_set_as_iproute2_reports_them()
    {
        using var net = new TestNetwork();
        var h = net.Host;
        h.CreateLink(new BridgeSpec("br0") { Up = true });
        int br = h.GetLink("br0").Index;
        h.CreateLink(new VethSpec("port0", "peer0") { MasterIndex = br, Up = true });
        int port = h.GetLink("port0").Index;

        h.SetBridgePort(port, new BridgePortSettings { Hairpin = true, Isolated = true, Learning = false });
        var slave = Assert.Single(IpJson.Query(net, "host", "-d", "link", "show", "port0"))
            .GetProperty("linkinfo").GetProperty("info_slave_data");
        Assert.True(slave.GetProperty("hairpin").GetBoolean());
        Assert.True(slave.GetProperty("isolated").GetBoolean());
        Assert.False(slave.GetProperty("learning").GetBoolean());

        h.SetBridgePort(port, new BridgePortSettings { Hairpin = false });
        slave = Assert.Single(IpJson.Query(net, "host", "-d", "link", "show", "port0"))
            .GetProperty("linkinfo").GetProperty("info_slave_data");
        Assert.False(slave.GetProperty("hairpin").GetBoolean());
        Assert.True(slave.GetProperty("isolated").GetBoolean()); // untouched
    }

    [PrivilegedFact]
    public void A_dump_larger_than_one_datagram_is_read_to_the_end()
    {
        using var net = new TestNetwork();
        const int count = 400; // 400 links of ~1.3 KB each span many 32 KB datagrams
        for (int i = 0; i < count; i += 2) net.Host.CreateLink(new VethSpec($"d{i}", $"d{i + 1}"));
        var names = net.Host.ListLinks().Select(l => l.Name).ToHashSet();
        Assert.Equal(count + 1, names.Count); // plus lo
        Assert.Contains("d0", names);
        Assert.Contains($"d{count - 1}", names);
        Assert.Equal(count + 1, IpJson.Query(net, "host", "link", "show").Length);
    }

    [PrivilegedFact]
    public void Bad_input_gets_an_error_naming_the_object_and_the_problem()
    {
        using var net = new TestNetwork();
        var h = net.Host;

        var tooLong = Assert.Throws<ArgumentException>(() => h.CreateLink(new BridgeSpec("sixteen-bytes-xx")));
        Assert.Contains("'sixteen-bytes-xx' is 16 bytes long", tooLong.Message, StringComparison.Ordinal);
        Assert.Contains("at most 15", tooLong.Message, StringComparison.Ordinal);

        h.CreateLink(new BridgeSpec("dup0"));
        var dup = Assert.Throws<Netlink.NetlinkException>(() => h.CreateLink(new BridgeSpec("dup0")));
        Assert.Equal(Interop.Errno.EEXIST, dup.ErrorNumber);
        Assert.Contains("bridge link 'dup0'", dup.Message, StringComparison.Ordinal);
        Assert.Contains("already exists", dup.Message, StringComparison.Ordinal);

        var missing = Assert.Throws<KernelException>(() => h.GetLink("nosuch0"));
        Assert.Contains("no link named 'nosuch0'", missing.Message, StringComparison.Ordinal);
        var delMissing = Assert.Throws<Netlink.NetlinkException>(() => h.DeleteLink("nosuch0"));
        Assert.Contains("'nosuch0'", delMissing.Message, StringComparison.Ordinal);

        // A veth whose peer name is taken inside the target namespace.
        var (ns, rt) = net.Add("c1");
        rt.CreateLink(new BridgeSpec("eth0"));
        var clash = Assert.Throws<Netlink.NetlinkException>(() => h.CreateLink(new VethSpec("vx", "eth0") { PeerNamespace = ns }));
        Assert.Contains("'eth0' exists in the peer's namespace", clash.Message, StringComparison.Ordinal);
        Assert.Null(h.FindLink("vx")); // nothing half-made
    }

    [Fact]
    public void A_veth_pair_made_with_one_queue_has_one_at_both_ends_and_carries_traffic()
    {
        using var net = new TestNetwork();
        var h = net.Host;
        var (ns, rt) = net.Add("q1");
        h.CreateLink(new VethSpec("vq0", "vq0p") { Queues = 1, Up = true, PeerNamespace = ns });
        h.AddAddress(h.GetLink("vq0").Index, IPPrefix.Parse("192.0.2.1/24"));
        int inside = rt.GetLink("vq0p").Index;
        rt.SetUp(inside);
        rt.AddAddress(inside, IPPrefix.Parse("192.0.2.2/24"));

        var host = Assert.Single(IpJson.Query(net, "host", "-d", "link", "show", "vq0"));
        Assert.Equal(1, host.GetProperty("num_tx_queues").GetInt32());
        Assert.Equal(1, host.GetProperty("num_rx_queues").GetInt32());
        var peer = Assert.Single(IpJson.Query(net, "q1", "-d", "link", "show", "vq0p"));
        Assert.Equal(1, peer.GetProperty("num_tx_queues").GetInt32());
        Assert.Equal(1, peer.GetProperty("num_rx_queues").GetInt32());
        Assert.Equal(0, net.Exec("q1", "busybox", "ping", "-c", "1", "-W", "2", "192.0.2.1").ExitCode); // the pair carries traffic
    }
}
