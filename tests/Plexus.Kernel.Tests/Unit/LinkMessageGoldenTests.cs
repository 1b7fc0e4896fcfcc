using System.Net;
using Plexus.Kernel.Netlink;
using Plexus.Kernel.Rtnl;
using Plexus.Kernel.Rtnl.LinkKinds;
using Plexus.Kernel.Tests.Unit.Support;
using Plexus.Kernel.Types;

namespace Plexus.Kernel.Tests.Unit;

/// <summary>
/// RTM_NEWLINK / RTM_SETLINK requests, byte for byte, built with the same helpers RtNetlink uses
/// (LinkRequests.WriteCreate / WriteChanges / WriteBridgePort) and NetlinkConnection's flags.
///
/// Each golden is also checked against what iproute2-6.1.0 sends for the same command, captured with
/// <c>unshare --net strace -e trace=sendmsg -e write=all ip ...</c> on Linux 6.18 (in the capture
/// namespace lo is 1, br0 is 2 and dummy0 (a bridge) is 3). Attribute order is free in netlink, so that
/// comparison is by meaning (<see cref="MessageShape"/>); the differences that remain are listed per test.
///
/// One difference holds everywhere and is normalised away by the comparison: iproute2 writes
/// IFLA_INFO_KIND without a terminating NUL ("bridge", nla_len 10) while Plexus writes "bridge\0"
/// (nla_len 11). The kernel's policy for it is NLA_STRING, which takes both.
/// </summary>
public class LinkMessageGoldenTests
{
    private const NetlinkFlags CreateFlags = NetlinkFlags.Create | NetlinkFlags.Exclusive; // as RtNetlink.CreateLink

    private static byte[] Create(LinkSpec spec) =>
        Requests.Execute(RtmType.NewLink, CreateFlags, w => LinkRequests.WriteCreate(w, spec));

    private static byte[] Change(int index, LinkChanges changes) =>
        Requests.Execute(RtmType.NewLink, NetlinkFlags.None, w => LinkRequests.WriteChanges(w, index, changes));

    // ---- bridge -------------------------------------------------------------------------------------

    // ip link add br0 type bridge
    private const string IpLinkAddBridge =
        "3800000010000506079c026b00000000000000000000000000000000000000000800030062723000100012000a0001006272696467650000";

    [Fact]
    public void Bridge_with_defaults()
    {
        var expected = Hex.Parse("""
            38000000 1000 0506 01000000 00000000  # nlmsghdr: 56 bytes, RTM_NEWLINK, REQUEST|ACK|EXCL|CREATE, seq 1, port 0
            00 00 0000 00000000 00000000 00000000 # ifinfomsg: AF_UNSPEC, index 0, flags 0, change 0
            0800 0300 62723000                    # IFLA_IFNAME "br0"
            1000 1200                             # IFLA_LINKINFO
              0b00 0100 62726964676500 00         #   IFLA_INFO_KIND "bridge\0" (no IFLA_INFO_DATA: nothing to set)
            """);
        var actual = Create(new BridgeSpec("br0"));
        Requests.AssertBytes(expected, actual);
        MessageShape.AssertSameMeaning(actual, Hex.Parse(IpLinkAddBridge), Schema.Link);
    }

    [Fact]
    public void Kind_is_NUL_terminated_where_iproute2_sends_it_bare()
    {
        var ours = Create(new BridgeSpec("br0"));
        var iproute2 = Hex.Parse(IpLinkAddBridge);
        // Same total length (the NUL fits in the padding); only nla_len of IFLA_INFO_KIND differs.
        Assert.Equal(iproute2.Length, ours.Length);
        const int kindLength = 16 + 16 + 8 + 4; // header, ifinfomsg, IFLA_IFNAME, IFLA_LINKINFO header
        Assert.Equal(11, ours[kindLength]);
        Assert.Equal(10, iproute2[kindLength]);
        ours[kindLength] = 10;
        Requests.AssertBytes(Requests.WithSequence(iproute2), ours);
    }

    [Fact]
    public void Bridge_with_options_writes_IFLA_INFO_DATA()
    {
        var expected = Hex.Parse("""
            64000000 1000 0506 01000000 00000000  # nlmsghdr: 100 bytes
            00000000 00000000 00000000 00000000   # ifinfomsg
            0800 0300 62723200                    # IFLA_IFNAME "br2"
            3c00 1200                             # IFLA_LINKINFO (60)
              0b00 0100 62726964676500 00         #   IFLA_INFO_KIND "bridge\0"
              2c00 0200                           #   IFLA_INFO_DATA (44)
                0800 0100 dc050000                #     IFLA_BR_FORWARD_DELAY 1500 (u32)
                0800 0400 30750000                #     IFLA_BR_AGEING_TIME 30000 (u32)
                0800 0500 01000000                #     IFLA_BR_STP_STATE 1 (u32)
                0500 0700 01 000000               #     IFLA_BR_VLAN_FILTERING 1 (u8)
                0500 1700 00 000000               #     IFLA_BR_MCAST_SNOOPING 0 (u8)
            """);
        var actual = Create(new BridgeSpec("br2")
        {
            ForwardDelay = 1500, AgeingTime = 30000, StpEnabled = true, VlanFiltering = true, MulticastSnooping = false,
        });
        Requests.AssertBytes(expected, actual);
        // ip link add br2 type bridge forward_delay 1500 ageing_time 30000 stp_state 1 vlan_filtering 1 mcast_snooping 0
        // (the kernel then refuses stp_state 1 in a non-initial namespace with EOPNOTSUPP; the bytes are what matter here)
        MessageShape.AssertSameMeaning(actual, Hex.Parse(
            "6400000010000506079c026b000000000000000000000000000000000000000008000300627232003c0012000a00010062726964676500002c00020008000100dc0500000800040030750000080005000100000005000700010000000500170000000000"),
            Schema.Link);
    }

    [Fact]
    public void Bridge_with_mtu_mac_and_up()
    {
        var expected = Hex.Parse("""
            4c000000 1000 0506 01000000 00000000  # nlmsghdr: 76 bytes
            00 00 0000 00000000 01000000 01000000 # ifinfomsg: flags IFF_UP, change IFF_UP
            0800 0300 62723300                    # IFLA_IFNAME "br3"
            0800 0400 78050000                    # IFLA_MTU 1400
            0a00 0100 0242ac110001 0000           # IFLA_ADDRESS 02:42:ac:11:00:01
            1000 1200                             # IFLA_LINKINFO
              0b00 0100 62726964676500 00         #   IFLA_INFO_KIND "bridge\0"
            """);
        var actual = Create(new BridgeSpec("br3") { Mtu = 1400, Mac = MacAddress.Parse("02:42:ac:11:00:01"), Up = true });
        Requests.AssertBytes(expected, actual);
        // ip link add br3 mtu 1400 address 02:42:ac:11:00:01 up type bridge (iproute2 puts IFLA_IFNAME after MTU and address)
        MessageShape.AssertSameMeaning(actual, Hex.Parse(
            "4c00000010000506149c026b000000000000000000000000010000000100000008000400780500000a0001000242ac11000100000800030062723300100012000a0001006272696467650000"),
            Schema.Link);
    }

    [Fact]
    public void Bridge_without_options_has_no_empty_IFLA_INFO_DATA_even_after_a_longer_request_in_the_same_writer()
    {
        // The writer is reused per connection; an empty IFLA_INFO_DATA nest is cut off with Truncate and
        // must not leave bytes of an earlier request behind.
        var writer = new NetlinkWriter(16);
        writer.BeginMessage(RtmType.NewLink, CreateFlags);
        LinkRequests.WriteCreate(writer, new BridgeSpec("br-long-name") { AgeingTime = 1, ForwardDelay = 2, StpEnabled = false });
        writer.EndMessage(7);
        writer.Reset();
        writer.BeginMessage(RtmType.NewLink, CreateFlags | NetlinkFlags.Request | NetlinkFlags.Ack);
        LinkRequests.WriteCreate(writer, new BridgeSpec("br0"));
        writer.EndMessage(Requests.Sequence);
        Requests.AssertBytes(Create(new BridgeSpec("br0")), writer.WrittenSpan.ToArray());
        Assert.Equal(56, writer.Length);
    }

    // ---- veth ---------------------------------------------------------------------------------------

    [Fact]
    public void Veth_with_peer_name_mac_mtu_and_master()
    {
        var expected = Hex.Parse("""
            84000000 1000 0506 01000000 00000000  # nlmsghdr: 132 bytes
            00000000 00000000 00000000 00000000   # ifinfomsg
            0a00 0300 7665746830 000000           # IFLA_IFNAME "veth0"
            0800 0400 aa050000                    # IFLA_MTU 1450
            0800 0a00 02000000                    # IFLA_MASTER 2
            4800 1200                             # IFLA_LINKINFO (72)
              0900 0100 7665746800 000000         #   IFLA_INFO_KIND "veth\0"
              3800 0200                           #   IFLA_INFO_DATA (56)
                3400 0100                         #     VETH_INFO_PEER (52): an ifinfomsg, then the peer's attributes
                  00000000 00000000 00000000 00000000  # peer ifinfomsg (never up: see VethSpec)
                  0900 0300 6574683000 000000     #       IFLA_IFNAME "eth0"
                  0800 0400 aa050000              #       IFLA_MTU 1450 (the pair's MTU)
                  0a00 0100 0242ac120002 0000     #       IFLA_ADDRESS 02:42:ac:12:00:02
            """);
        var actual = Create(new VethSpec("veth0", "eth0")
        {
            Mtu = 1450, MasterIndex = 2, PeerMac = MacAddress.Parse("02:42:ac:12:00:02"),
        });
        Requests.AssertBytes(expected, actual);
        // ip link add veth0 mtu 1450 master br0 type veth peer name eth0 address 02:42:ac:12:00:02 mtu 1450
        MessageShape.AssertSameMeaning(actual, Hex.Parse(
            "8000000010000506149c026b000000000000000000000000000000000000000008000400aa05000008000a00020000000a00030076657468300000004400120008000100766574683800020034000100000000000000000000000000000000000a0001000242ac120002000008000400aa050000090003006574683000000000"),
            Schema.Veth);
    }

    [Fact]
    public void Veth_peer_mtu_overrides_the_pair_mtu_and_up_applies_to_the_host_end_only()
    {
        var shape = MessageShape.Describe(
            Create(new VethSpec("veth1", "eth0") { Mtu = 1450, PeerMtu = 1400, Up = true }), Schema.Veth);
        Assert.Contains("header 00000000000000000100000001000000", shape);                  // host end: IFF_UP
        Assert.Contains("18/2/1 nest, header 00000000000000000000000000000000", shape);     // peer: flags 0, change 0
        Assert.Contains("4 = aa050000", shape);                                             // host MTU 1450
        Assert.Contains("18/2/1/4 = 78050000", shape);                                      // peer MTU 1400
        Assert.DoesNotContain("18/2/1/1", string.Join('\n', shape), StringComparison.Ordinal); // no peer MAC
    }

    [Fact]
    public void Veth_queues_are_asked_for_both_ends_as_ip_link_numtxqueues_and_numrxqueues_do()
    {
        var shape = string.Join('\n', MessageShape.Describe(Create(new VethSpec("veth2", "eth0") { Queues = 1 }), Schema.Veth));
        Assert.Contains("31 = 01000000", shape, StringComparison.Ordinal);          // host end: IFLA_NUM_TX_QUEUES 1
        Assert.Contains("32 = 01000000", shape, StringComparison.Ordinal);          // IFLA_NUM_RX_QUEUES 1
        Assert.Contains("18/2/1/31 = 01000000", shape, StringComparison.Ordinal);   // the peer's, inside VETH_INFO_PEER
        Assert.Contains("18/2/1/32 = 01000000", shape, StringComparison.Ordinal);
        var none = string.Join('\n', MessageShape.Describe(Create(new VethSpec("veth3", "eth0")), Schema.Veth));
        Assert.DoesNotContain("31 =", none, StringComparison.Ordinal);               // unset: the driver's default
        Assert.Throws<ArgumentOutOfRangeException>(() => new VethSpec("veth4", "eth0") { Queues = 0 });
    }

    // ---- vxlan --------------------------------------------------------------------------------------

    [Fact]
    public void Vxlan_with_local_group_underlay_port_and_learning()
    {
        var expected = Hex.Parse("""
            6c000000 1000 0506 01000000 00000000  # nlmsghdr: 108 bytes
            00000000 00000000 00000000 00000000   # ifinfomsg
            0800 0300 76783000                    # IFLA_IFNAME "vx0"
            4400 1200                             # IFLA_LINKINFO (68)
              0a00 0100 76786c616e00 0000         #   IFLA_INFO_KIND "vxlan\0"
              3400 0200                           #   IFLA_INFO_DATA (52)
                0800 0100 2a000000                #     IFLA_VXLAN_ID 42
                0800 0400 0a000001                #     IFLA_VXLAN_LOCAL 10.0.0.1
                0800 0200 ef010101                #     IFLA_VXLAN_GROUP 239.1.1.1
                0800 0300 03000000                #     IFLA_VXLAN_LINK 3
                0600 0f00 12b5 0000               #     IFLA_VXLAN_PORT 4789, network byte order
                0500 0700 00 000000               #     IFLA_VXLAN_LEARNING 0
            """);
        var actual = Create(new VxlanSpec("vx0", 42)
        {
            Local = IPAddress.Parse("10.0.0.1"), Group = IPAddress.Parse("239.1.1.1"), Underlay = 3, Port = 4789, Learning = false,
        });
        Requests.AssertBytes(expected, actual);
        // ip link add vx0 type vxlan id 42 local 10.0.0.1 group 239.1.1.1 dev dummy0 dstport 4789 nolearning
        MessageShape.AssertSameMeaning(actual, Hex.Parse(
            "6c00000010000506149c026b00000000000000000000000000000000000000000800030076783000440012000900010076786c616e000000340002000800030003000000080001002a000000080004000a00000108000200ef010101050007000000000006000f0012b50000"),
            Schema.Link);
    }

    [Fact]
    public void Vxlan_proxy_asks_for_arp_suppression()
    {
        var expected = Hex.Parse("""
            44000000 1000 0506 01000000 00000000  # nlmsghdr: 68 bytes
            00000000 00000000 00000000 00000000   # ifinfomsg
            0800 0300 76783100                    # IFLA_IFNAME "vx1"
            1c00 1200                             # IFLA_LINKINFO (28)
              0a00 0100 76786c616e00 0000         #   IFLA_INFO_KIND "vxlan\0"
              0c00 0200                           #   IFLA_INFO_DATA (12)
                0800 0100 07000000                #     IFLA_VXLAN_ID 7
            """);
        var proxy = Create(new VxlanSpec("vx1", 7) { Proxy = true });
        // The same request plus IFLA_VXLAN_PROXY 1 (attribute 11) in IFLA_INFO_DATA.
        Assert.Equal(expected.Length + 8, proxy.Length);
        Assert.Equal(Hex.Parse("0500 0b00 01 000000"), proxy[^8..]);
        Requests.AssertBytes(expected, Create(new VxlanSpec("vx1", 7)));
    }

    [Fact]
    public void Vxlan_over_IPv6_uses_LOCAL6_and_leaves_learning_to_the_kernel()
    {
        var expected = Hex.Parse("""
            60000000 1000 0506 01000000 00000000  # nlmsghdr: 96 bytes
            00000000 00000000 00000000 00000000   # ifinfomsg
            0800 0300 76783600                    # IFLA_IFNAME "vx6"
            3800 1200                             # IFLA_LINKINFO (56)
              0a00 0100 76786c616e00 0000         #   IFLA_INFO_KIND "vxlan\0"
              2800 0200                           #   IFLA_INFO_DATA (40)
                0800 0100 07000000                #     IFLA_VXLAN_ID 7
                1400 1100 fd000000 00000000 00000000 00000001  # IFLA_VXLAN_LOCAL6 fd00::1
                0600 0f00 12b5 0000               #     IFLA_VXLAN_PORT 4789
            """);
        var actual = Create(new VxlanSpec("vx6", 7) { Local = IPAddress.Parse("fd00::1"), Port = 4789 });
        Requests.AssertBytes(expected, actual);
        // ip link add vx6 type vxlan id 7 local fd00::1 dstport 4789
        // iproute2 always sends IFLA_VXLAN_LEARNING (1 unless "nolearning"); Plexus sends it only when set,
        // and the kernel's default is learning on, so the result is the same.
        MessageShape.AssertSameMeaning(actual, Hex.Parse(
            "6800000010000506089c026b00000000000000000000000000000000000000000800030076783600400012000900010076786c616e00000030000200080001000700000014001100fd000000000000000000000000000001050007000100000006000f0012b50000"),
            Schema.Link, onlyIproute2: ["18/2/7 = 01"]);
    }

    [Fact]
    public void Vxlan_id_must_fit_24_bits()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new VxlanSpec("vx0", 0x1000000));
        Assert.Contains("24 bits", e.Message, StringComparison.Ordinal);
        Assert.Equal(0xFFFFFFu, new VxlanSpec("vx0", 0xFFFFFF).Vni);
    }

    // ---- macvlan, dummy -----------------------------------------------------------------------------

    [Fact]
    public void Macvlan_writes_parent_as_IFLA_LINK_and_its_mode()
    {
        var expected = Hex.Parse("""
            4c000000 1000 0506 01000000 00000000  # nlmsghdr: 76 bytes
            00000000 00000000 00000000 00000000   # ifinfomsg
            0800 0300 6d763000                    # IFLA_IFNAME "mv0"
            0800 0500 03000000                    # IFLA_LINK 3 (the parent)
            1c00 1200                             # IFLA_LINKINFO (28)
              0c00 0100 6d6163766c616e00          #   IFLA_INFO_KIND "macvlan\0"
              0c00 0200                           #   IFLA_INFO_DATA
                0800 0100 04000000                #     IFLA_MACVLAN_MODE 4 (bridge)
            """);
        var actual = Create(new MacvlanSpec("mv0", 3));
        Requests.AssertBytes(expected, actual);
        // ip link add mv0 link dummy0 type macvlan mode bridge
        MessageShape.AssertSameMeaning(actual, Hex.Parse(
            "4c00000010000506149c026b00000000000000000000000000000000000000000800050003000000080003006d7630001c0012000b0001006d6163766c616e000c0002000800010004000000"),
            Schema.Link);
    }

    [Theory]
    [InlineData(MacvlanMode.Private, "01000000")]
    [InlineData(MacvlanMode.Vepa, "02000000")]
    [InlineData(MacvlanMode.Passthru, "08000000")]
    [InlineData(MacvlanMode.Source, "10000000")]
    public void Macvlan_modes_are_the_kernel_values(MacvlanMode mode, string value)
    {
        var shape = MessageShape.Describe(Create(new MacvlanSpec("mv0", 3, mode)), Schema.Link);
        Assert.Contains($"18/2/1 = {value}", shape);
    }

    [Fact]
    public void Dummy_has_a_kind_and_no_IFLA_INFO_DATA()
    {
        var expected = Hex.Parse("""
            38000000 1000 0506 01000000 00000000  # nlmsghdr: 56 bytes
            00000000 00000000 00000000 00000000   # ifinfomsg
            0700 0300 643100 00                   # IFLA_IFNAME "d1"
            1000 1200                             # IFLA_LINKINFO
              0a00 0100 64756d6d7900 0000         #   IFLA_INFO_KIND "dummy\0"
            """);
        var actual = Create(new DummySpec("d1"));
        Requests.AssertBytes(expected, actual);
        // ip link add d1 type dummy
        MessageShape.AssertSameMeaning(actual, Hex.Parse(
            "3800000010000506159c026b00000000000000000000000000000000000000000700030064310000100012000900010064756d6d79000000"),
            Schema.Link);
    }

    // ---- vlan, ipvlan (iproute2 captured on a kernel without either driver: the request is the same) ----

    [Fact]
    public void Vlan_writes_parent_as_IFLA_LINK_and_its_id_as_u16()
    {
        var actual = Create(new VlanSpec("v20", 3, 20));
        Assert.Contains("18/2/1 = 1400", MessageShape.Describe(actual, Schema.Link));
        // ip link add link dummy0 name v20 type vlan id 20
        MessageShape.AssertSameMeaning(actual, Hex.Parse(
            "48000000100005069fd30c6b0000000000000000000000000000000000000000080005000300000008000300763230001800120008000100766c616e0c0002000600010014000000"),
            Schema.Link);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4095)]
    public void Vlan_ids_outside_802_1q_are_refused(int id)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new VlanSpec("v0", 3, id));
        Assert.Contains("between 1 and 4094", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ipvlan_writes_parent_mode_and_flags()
    {
        var actual = Create(new IpvlanSpec("iv0", 3, IpvlanMode.L3, IpvlanFlags.Private));
        // ip link add link dummy0 name iv0 type ipvlan mode l3 private
        MessageShape.AssertSameMeaning(actual, Hex.Parse(
            "54000000100005069fd30c6b000000000000000000000000000000000000000008000500030000000800030069763000" +
            "240012000a0001006970766c616e00001400020006000100010000000600020001000000"),
            Schema.Link);
    }

    [Theory]
    [InlineData("")]
    [InlineData("this-is-16-bytes")]
    [InlineData("a/b")]
    [InlineData("a b")]
    public void Specs_reject_invalid_names_before_anything_is_written(string name)
    {
        Assert.Throws<ArgumentException>(() => new BridgeSpec(name));
        Assert.Throws<ArgumentException>(() => new VethSpec("veth0", name));
    }

    // ---- changes to an existing link ----------------------------------------------------------------

    [Fact]
    public void Changes_up_mtu_and_mac_in_one_request()
    {
        var expected = Hex.Parse("""
            34000000 1000 0500 01000000 00000000  # nlmsghdr: 52 bytes, RTM_NEWLINK, REQUEST|ACK
            00 00 0000 0d000000 01000000 01000000 # ifinfomsg: index 13, flags IFF_UP, change IFF_UP
            0800 0400 78050000                    # IFLA_MTU 1400
            0a00 0100 0242ac120009 0000           # IFLA_ADDRESS 02:42:ac:12:00:09
            """);
        var actual = Change(13, new LinkChanges { Up = true, Mtu = 1400, Mac = MacAddress.Parse("02:42:ac:12:00:09") });
        Requests.AssertBytes(expected, actual);
        // ip link set dev vethA up mtu 1400 address 02:42:ac:12:00:09 (vethA is index 13): identical bytes
        Requests.AssertBytes(Requests.WithSequence(Hex.Parse(
            "3400000010000500169c026b00000000000000000d000000010000000100000008000400780500000a0001000242ac1200090000")), actual);
    }

    [Fact]
    public void Changes_rename()
    {
        var actual = Change(12, new LinkChanges { Name = "eth1" });
        // ip link set dev vethB name eth1 (vethB is index 12): identical bytes
        Requests.AssertBytes(Hex.Parse("""
            2c000000 1000 0500 01000000 00000000  # nlmsghdr: 44 bytes, RTM_NEWLINK, REQUEST|ACK
            00 00 0000 0c000000 00000000 00000000 # ifinfomsg: index 12, no flag change
            0900 0300 6574683100 000000           # IFLA_IFNAME "eth1"
            """), actual);
        Requests.AssertBytes(Requests.WithSequence(Hex.Parse(
            "2c00000010000500159c026b00000000000000000c0000000000000000000000090003006574683100000000")), actual);
    }

    [Fact]
    public void Changes_master_and_nomaster()
    {
        // ip link set dev eth1 master br0 / ip link set dev vethA nomaster: identical bytes
        Requests.AssertBytes(Requests.WithSequence(Hex.Parse(
            "2800000010000500159c026b00000000000000000c000000000000000000000008000a0002000000")),
            Change(12, new LinkChanges { MasterIndex = 2 }));
        Requests.AssertBytes(Requests.WithSequence(Hex.Parse(
            "2800000010000500159c026b00000000000000000d000000000000000000000008000a0000000000")),
            Change(13, new LinkChanges { MasterIndex = 0 }));
    }

    [Fact]
    public void Changes_down_clears_IFF_UP_and_nothing_else()
    {
        Requests.AssertBytes(Hex.Parse("""
            20000000 1000 0500 01000000 00000000  # nlmsghdr: 32 bytes
            00 00 0000 07000000 00000000 01000000 # ifinfomsg: index 7, flags 0, change IFF_UP
            """), Change(7, new LinkChanges { Up = false }));
        Requests.AssertBytes(Hex.Parse("""
            20000000 1000 0500 01000000 00000000  # nlmsghdr: 32 bytes
            00 00 0000 07000000 00000000 00000000 # ifinfomsg: index 7, change nothing
            """), Change(7, new LinkChanges()));
    }

    [Fact]
    public void Changes_of_kind_options_write_IFLA_LINKINFO_with_only_what_the_spec_sets()
    {
        // ip link set dev 3 type bridge mcast_snooping 0 sends the same attributes (iproute2 also writes the kind bare).
        Requests.AssertBytes(Hex.Parse("""
            3c000000 1000 0500 01000000 00000000  # nlmsghdr: 60 bytes, RTM_NEWLINK, REQUEST|ACK
            00 00 0000 03000000 00000000 00000000 # ifinfomsg: index 3, change nothing
            1c00 1200                             # IFLA_LINKINFO (28)
              0b00 0100 62726964676500 00         #   IFLA_INFO_KIND "bridge\0"
              0c00 0200                           #   IFLA_INFO_DATA (12)
                0500 1700 00 000000               #     IFLA_BR_MCAST_SNOOPING 0 (u8)
            """), Change(3, new LinkChanges { KindOptions = new BridgeSpec("ignored") { MulticastSnooping = false } }));
    }

    [Fact]
    public void Changes_reject_an_invalid_new_name()
    {
        var e = Assert.Throws<ArgumentException>(() => Change(7, new LinkChanges { Name = "way-too-long-name0" }));
        Assert.Contains("at most 15", e.Message, StringComparison.Ordinal);
    }

    // ---- bridge port flags --------------------------------------------------------------------------

    [Fact]
    public void Bridge_port_flags_go_in_a_nested_IFLA_PROTINFO_of_an_AF_BRIDGE_message()
    {
        var expected = Hex.Parse("""
            44000000 1300 0500 01000000 00000000  # nlmsghdr: 68 bytes, RTM_SETLINK, REQUEST|ACK
            07 00 0000 0d000000 00000000 00000000 # ifinfomsg: AF_BRIDGE, index 13
            2400 0c80                             # IFLA_PROTINFO | NLA_F_NESTED (36)
              0500 0400 01 000000                 #   IFLA_BRPORT_MODE 1 (hairpin)
              0500 0800 00 000000                 #   IFLA_BRPORT_LEARNING 0
              0500 0900 00 000000                 #   IFLA_BRPORT_UNICAST_FLOOD 0
              0500 2100 01 000000                 #   IFLA_BRPORT_ISOLATED 1
            """);
        var actual = Requests.Execute(RtmType.SetLink, NetlinkFlags.None, w => LinkRequests.WriteBridgePort(w, 13,
            new BridgePortSettings { Hairpin = true, Learning = false, UnicastFlood = false, Isolated = true }));
        Requests.AssertBytes(expected, actual);
        // bridge link set dev vethA hairpin on learning off flood off isolated on (iproute2 writes flood before learning)
        MessageShape.AssertSameMeaning(actual, Hex.Parse(
            "4400000013000500169c026b00000000070000000d000000000000000000000024000c800500040001000000050009000000000005000800000000000500210001000000"),
            Schema.Link);
    }

    [Fact]
    public void Bridge_port_with_nothing_to_set_sends_an_empty_nest()
    {
        Requests.AssertBytes(Hex.Parse("""
            24000000 1300 0500 01000000 00000000  # nlmsghdr: 36 bytes, RTM_SETLINK
            07 00 0000 05000000 00000000 00000000 # ifinfomsg: AF_BRIDGE, index 5
            0400 0c80                             # IFLA_PROTINFO | NLA_F_NESTED, empty
            """), Requests.Execute(RtmType.SetLink, NetlinkFlags.None, w => LinkRequests.WriteBridgePort(w, 5, new BridgePortSettings())));
    }
}
