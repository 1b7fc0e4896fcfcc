using Plexus.Kernel.Netlink;
using Plexus.Kernel.Rtnl;
using Plexus.Kernel.Tests.Unit.Support;
using Plexus.Kernel.Types;

namespace Plexus.Kernel.Tests.Unit;

/// <summary>RTM_NEWLINK replies decoded by LinkRequests.TryDecode: a real kernel dump and hand-built messages.</summary>
public class LinkDecodeTests
{
    private static Link? Decode(byte[] message) => Replies.DecodeOne<Link>(message, LinkRequests.TryDecode);

    [Fact]
    public void Captured_link_dump_decodes_every_link()
    {
        // Golden/link-dump.hex: the kernel's full RTM_NEWLINK messages (stats, IFLA_AF_SPEC, bridge and
        // bridge-port IFLA_INFO_DATA...) for lo, br0, a veth pair with one end on br0, and a vxlan; then NLMSG_DONE.
        var datagram = Hex.LoadGolden("link-dump.hex");
        Assert.Equal([16, 16, 16, 16, 16, NetlinkMessageType.Done], Replies.Types(datagram));
        var links = Replies.DecodeAll<Link>(datagram, LinkRequests.TryDecode);

        var up = InterfaceFlags.Up | InterfaceFlags.Broadcast | InterfaceFlags.Running | InterfaceFlags.Multicast | InterfaceFlags.LowerUp;
        Assert.Collection(links,
            lo =>
            {
                Assert.Equal(new Link
                {
                    Index = 1, Name = "lo", Kind = null, Mtu = 65536, Mac = MacAddress.Parse("00:00:00:00:00:00"),
                    Flags = InterfaceFlags.Loopback | InterfaceFlags.Up | InterfaceFlags.Running | InterfaceFlags.LowerUp,
                    OperState = 0, // IF_OPER_UNKNOWN
                }, lo);
                Assert.True(lo.IsUp);
            },
            br0 => Assert.Equal(new Link
            {
                Index = 2, Name = "br0", Kind = "bridge", Mtu = 1500, Mac = MacAddress.Parse("02:42:ac:11:00:01"),
                Flags = up, OperState = 6, // IF_OPER_UP
            }, br0),
            eth0 => Assert.Equal(new Link
            {
                Index = 3, Name = "eth0", Kind = "veth", Mtu = 1500, Mac = MacAddress.Parse("02:42:ac:11:00:02"),
                Flags = up, OperState = 6, ParentIndex = 4,
            }, eth0),
            veth0 => Assert.Equal(new Link
            {
                Index = 4, Name = "veth0", Kind = "veth", Mtu = 1500, Mac = MacAddress.Parse("0a:91:4f:1f:70:ec"),
                Flags = up, OperState = 6, ParentIndex = 3, MasterIndex = 2, SlaveKind = "bridge",
            }, veth0),
            vx0 =>
            {
                Assert.Equal(new Link
                {
                    Index = 5, Name = "vx0", Kind = "vxlan", Mtu = 1500, Mac = MacAddress.Parse("0e:82:b5:fb:f1:d2"),
                    Flags = InterfaceFlags.Broadcast | InterfaceFlags.Multicast, OperState = 2, // IF_OPER_DOWN
                }, vx0);
                Assert.False(vx0.IsUp);
            });
    }

    // A container's eth0 as its namespace sees it: the peer lives in namespace id 0.
    private const string ContainerEth0 = """
        00000000 1000 0200 01000000 00000000  # nlmsghdr (length filled in), RTM_NEWLINK, NLM_F_MULTI
        00 00 0100 07000000 43100100 ffffffff # ifinfomsg: ARPHRD_ETHER, index 7, UP|BROADCAST|RUNNING|MULTICAST|LOWER_UP
        0900 0300 6574683000 000000           # IFLA_IFNAME "eth0"
        0800 0400 dc050000                    # IFLA_MTU 1500
        0500 1000 06 000000                   # IFLA_OPERSTATE up
        0a00 0100 0242ac110002 0000           # IFLA_ADDRESS
        0a00 0200 ffffffffffff 0000           # IFLA_BROADCAST (not the MAC)
        0800 0500 0c000000                    # IFLA_LINK 12
        0800 2500 00000000                    # IFLA_LINK_NETNSID 0
        0c00 1200                             # IFLA_LINKINFO
          0800 0100 76657468                  #   IFLA_INFO_KIND "veth", no NUL
        """;

    [Fact]
    public void Container_end_of_a_veth_pair()
    {
        var link = Decode(Replies.Message(ContainerEth0));
        Assert.Equal(new Link
        {
            Index = 7, Name = "eth0", Kind = "veth", Mtu = 1500, Mac = MacAddress.Parse("02:42:ac:11:00:02"),
            Flags = InterfaceFlags.Up | InterfaceFlags.Broadcast | InterfaceFlags.Running | InterfaceFlags.Multicast | InterfaceFlags.LowerUp,
            OperState = 6, ParentIndex = 12, LinkNetNsId = 0,
        }, link);
    }

    [Fact]
    public void Bridge_port_with_flagged_nests_and_unknown_attributes()
    {
        var link = Decode(Replies.Message("""
            00000000 1000 0000 01000000 00000000  # RTM_NEWLINK
            00 00 0100 09000000 03100000 00000000 # index 9, UP|BROADCAST|MULTICAST
            0c00 0300 7665746861626300            # IFLA_IFNAME "vethabc"
            0800 0a00 02000000                    # IFLA_MASTER 2
            0800 ff00 01020304                    # an attribute type Plexus does not know (255)
            3000 1280                             # IFLA_LINKINFO with NLA_F_NESTED
              0900 0100 7665746800 000000         #   IFLA_INFO_KIND "veth"
              0b00 0400 62726964676500 00         #   IFLA_INFO_SLAVE_KIND "bridge"
              1400 0580                           #   IFLA_INFO_SLAVE_DATA (nested; skipped)
                0500 0100 03 000000               #     IFLA_BRPORT_STATE forwarding
                0800 0500 0a000000                #     ...
            0800 0400 78050000                    # IFLA_MTU 1400, after the nest
            """));
        Assert.NotNull(link);
        Assert.Equal("vethabc", link.Name);
        Assert.Equal("veth", link.Kind);
        Assert.Equal("bridge", link.SlaveKind);
        Assert.Equal(2, link.MasterIndex);
        Assert.Equal(1400, link.Mtu);
        Assert.Null(link.Mac);
        Assert.Null(link.ParentIndex);
        Assert.True(link.IsUp);
    }

    [Theory]
    [InlineData("0400 0100", "no address")]                          // IFLA_ADDRESS empty
    [InlineData("0800 0100 0a000001", "IPv4 tunnel address")]        // 4 bytes (ipip, gre)
    [InlineData("1800 0100 000000000000000000000000000000000000000a", "20-byte IPoIB")]
    public void Link_addresses_that_are_not_6_bytes_give_no_mac(string attribute, string what)
    {
        var link = Decode(Replies.Message($"""
            00000000 1000 0000 01000000 00000000
            00 00 0000 04000000 00000000 00000000
            0800 0300 74756e00                    # IFLA_IFNAME "tun"
            {attribute}
            """));
        Assert.NotNull(link);
        Assert.True(link.Mac is null, what);
        Assert.Equal("tun", link.Name);
    }

    [Fact]
    public void Name_without_NUL_and_non_ASCII_name()
    {
        var link = Decode(Replies.Message("""
            00000000 1000 0000 01000000 00000000
            00 00 0000 04000000 00000000 00000000
            0900 0300 c3a974683000 0000           # IFLA_IFNAME "éth0" (UTF-8), without a NUL
            """));
        Assert.Equal("éth0", link?.Name);
    }

    [Fact]
    public void Other_message_types_are_skipped()
    {
        var bytes = Replies.Message(ContainerEth0);
        bytes[4] = (byte)RtmType.DelLink;
        Assert.Null(Decode(bytes));
        bytes[4] = (byte)RtmType.NewAddr;
        Assert.Null(Decode(bytes));
    }

    [Fact]
    public void A_link_without_a_name_is_a_parse_error()
    {
        var e = Assert.Throws<NetlinkParseException>(() => Decode(Replies.Message("""
            00000000 1000 0000 01000000 00000000
            00 00 0000 04000000 00000000 00000000
            0800 0400 dc050000                    # IFLA_MTU only
            """)));
        Assert.Contains("link 4 has no IFLA_IFNAME", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("00000000 04000000 000000")] // 15 bytes
    public void Payload_shorter_than_ifinfomsg_is_a_parse_error(string payload)
    {
        var e = Assert.Throws<NetlinkParseException>(() => Decode(Replies.Message("00000000 1000 0000 01000000 00000000" + payload)));
        Assert.Contains("shorter than struct ifinfomsg", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0600 0400 dc05 0000", "attribute 4 holds 2 bytes, needs 4")]   // IFLA_MTU
    [InlineData("0600 0a00 0200 0000", "attribute 10 holds 2 bytes, needs 4")]  // IFLA_MASTER
    [InlineData("0400 1000", "attribute 16 holds 0 bytes, needs 1")]            // IFLA_OPERSTATE
    [InlineData("0c00 1200 0900 0100 76657468", "has length 9 but only 8 bytes remain")] // IFLA_INFO_KIND past its nest
    public void Short_values_are_parse_errors(string attribute, string message)
    {
        var e = Assert.Throws<NetlinkParseException>(() => Decode(Replies.Message($"""
            00000000 1000 0000 01000000 00000000
            00 00 0000 04000000 00000000 00000000
            0800 0300 65746800                    # IFLA_IFNAME "eth"
            {attribute}
            """)));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }
}
