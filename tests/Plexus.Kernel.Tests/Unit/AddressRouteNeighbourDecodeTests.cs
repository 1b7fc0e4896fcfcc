using System.Net;
using Plexus.Kernel.Netlink;
using Plexus.Kernel.Rtnl;
using Plexus.Kernel.Tests.Unit.Support;
using Plexus.Kernel.Types;

namespace Plexus.Kernel.Tests.Unit;

/// <summary>
/// RTM_NEWADDR / RTM_NEWROUTE / RTM_NEWNEIGH replies decoded by RtNetlink.TryDecodeAddress / TryDecodeRoute /
/// TryDecodeNeighbour: real kernel dumps (Golden/*.hex, see their headers for the namespace they came
/// from) and hand-built messages for the cases a dump does not show.
/// </summary>
public class AddressRouteNeighbourDecodeTests
{
    private static IPAddress Ip(string s) => IPAddress.Parse(s);

    // ---- addresses ----------------------------------------------------------------------------------

    [Fact]
    public void Captured_address_dump()
    {
        var all = Replies.DecodeAll<InterfaceAddress>(Hex.LoadGolden("addr-dump.hex"), RtNetlink.TryDecodeAddress);
        Assert.Equal(
        [
            new(1, IPPrefix.Parse("127.0.0.1/8"), AddressFlags.Permanent, RouteScope.Host, "lo"),
            new(2, IPPrefix.Parse("172.17.0.1/16"), AddressFlags.Permanent, RouteScope.Universe, "br0"),
            new(3, IPPrefix.Parse("172.17.0.2/16"), AddressFlags.Permanent, RouteScope.Universe, "eth0:web"),
            // IPv6 messages carry only IFA_ADDRESS (no IFA_LOCAL) and no label.
            new(1, IPPrefix.Parse("::1/128"), AddressFlags.Permanent, RouteScope.Host),
            new(2, IPPrefix.Parse("fd00::1/64"), AddressFlags.Permanent | AddressFlags.NoDad, RouteScope.Universe),
            new(2, IPPrefix.Parse("fe80::42:acff:fe11:1/64"), AddressFlags.Permanent | AddressFlags.Tentative, RouteScope.Link),
            new(3, IPPrefix.Parse("fe80::42:acff:fe11:2/64"), AddressFlags.Permanent | AddressFlags.Tentative, RouteScope.Link),
            new(4, IPPrefix.Parse("fe80::891:4fff:fe1f:70ec/64"), AddressFlags.Permanent | AddressFlags.Tentative, RouteScope.Link),
        ], all);
    }

    [Fact]
    public void Point_to_point_address_is_IFA_LOCAL_not_the_peer_in_IFA_ADDRESS()
    {
        var address = Replies.DecodeOne<InterfaceAddress>(Replies.Message("""
            00000000 1400 0000 01000000 00000000  # RTM_NEWADDR
            02 20 00 00 09000000                  # ifaddrmsg: AF_INET /32, index 9
            0800 0100 0a000002                    # IFA_ADDRESS 10.0.0.2 (the peer)
            0800 0200 0a000001                    # IFA_LOCAL 10.0.0.1 (ours)
            """), RtNetlink.TryDecodeAddress);
        Assert.Equal(new InterfaceAddress(9, IPPrefix.Parse("10.0.0.1/32")), address);
    }

    [Fact]
    public void IFA_FLAGS_replaces_the_8_bit_header_flags()
    {
        var address = Replies.DecodeOne<InterfaceAddress>(Replies.Message("""
            00000000 1400 0000 01000000 00000000
            02 18 80 00 02000000                  # header flags IFA_F_PERMANENT
            0800 0200 0a090001                    # IFA_LOCAL 10.9.0.1
            0800 0800 80020000                    # IFA_FLAGS PERMANENT|NOPREFIXROUTE
            """), RtNetlink.TryDecodeAddress);
        Assert.Equal(AddressFlags.Permanent | AddressFlags.NoPrefixRoute, address?.Flags);
        Assert.Equal(IPPrefix.Parse("10.9.0.1/24"), address?.Prefix);
    }

    [Fact]
    public void Address_messages_of_other_types_are_skipped()
    {
        var bytes = Replies.Message("00000000 1500 0000 01000000 00000000  02 18 00 00 02000000  0800 0200 0a090001");
        Assert.Null(Replies.DecodeOne<InterfaceAddress>(bytes, RtNetlink.TryDecodeAddress)); // RTM_DELADDR
    }

    [Theory]
    [InlineData("02 18 00 00 02000000", "carries no address")]                                  // no attributes
    [InlineData("02 21 00 00 02000000 0800 0200 0a090001", "prefix length 33, above 32")]
    [InlineData("0a 81 00 00 02000000 1400 0100 fd000000000000000000000000000001", "prefix length 129, above 128")]
    [InlineData("02 18 00 00 02000000 0900 0200 0a09000101 000000", "holds 5 bytes, not an IPv4 (4) or IPv6 (16) address")]
    [InlineData("02 18 00 00 02000000 0600 0800 0002 0000 0800 0200 0a090001", "attribute 8 holds 2 bytes, needs 4")]
    [InlineData("02 18 00 00 020000", "shorter than struct ifaddrmsg")]
    public void Malformed_address_messages_are_parse_errors(string payload, string message)
    {
        var e = Assert.Throws<NetlinkParseException>(() => Replies.DecodeOne<InterfaceAddress>(
            Replies.Message("00000000 1400 0000 01000000 00000000" + payload), RtNetlink.TryDecodeAddress));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    // ---- routes -------------------------------------------------------------------------------------

    [Fact]
    public void Captured_route_dump()
    {
        var routes = Replies.DecodeAll<Route>(Hex.LoadGolden("route-dump.hex"), RtNetlink.TryDecodeRoute);
        Assert.Equal(21, routes.Count);

        // ip route add 10.2.0.0/16 via 172.17.0.254 dev br0 metric 100 table 1000 proto static src 172.17.0.1:
        // the kernel reports rtm_table RT_TABLE_COMPAT (252) and the real table in RTA_TABLE.
        Assert.Equal(new Route
        {
            Destination = IPPrefix.Parse("10.2.0.0/16"), Gateway = Ip("172.17.0.254"), OutputIndex = 2, Table = 1000,
            Protocol = RouteProtocol.Static, Scope = RouteScope.Universe, Type = RouteType.Unicast, Metric = 100,
            PreferredSource = Ip("172.17.0.1"),
        }, routes[0]);

        // default via 172.17.0.254 (no RTA_DST)
        Assert.Equal(new Route
        {
            Destination = IPPrefix.Parse("0.0.0.0/0"), Gateway = Ip("172.17.0.254"), OutputIndex = 2,
            Protocol = RouteProtocol.Boot, Scope = RouteScope.Universe,
        }, routes[1]);
        Assert.True(routes[1].IsDefault);

        // 172.17.0.0/16 dev br0 proto kernel scope link src 172.17.0.1
        Assert.Equal(new Route
        {
            Destination = IPPrefix.Parse("172.17.0.0/16"), OutputIndex = 2, Protocol = RouteProtocol.Kernel,
            Scope = RouteScope.Link, PreferredSource = Ip("172.17.0.1"),
        }, routes[2]);

        // local 127.0.0.0/8 dev lo table local proto kernel scope host src 127.0.0.1
        Assert.Equal(new Route
        {
            Destination = IPPrefix.Parse("127.0.0.0/8"), OutputIndex = 1, Table = RouteTable.Local, Protocol = RouteProtocol.Kernel,
            Scope = RouteScope.Host, Type = RouteType.Local, PreferredSource = Ip("127.0.0.1"),
        }, routes[4]);

        // broadcast 172.17.255.255 dev br0 table local ... scope link
        Assert.Equal(RouteType.Broadcast, routes[9].Type);
        Assert.Equal(IPPrefix.Parse("172.17.255.255/32"), routes[9].Destination);

        // fd01::/64 dev br0 metric 256 (IPv6 routes come with RTA_CACHEINFO and RTA_PREF, which are skipped)
        Assert.Equal(new Route
        {
            Destination = IPPrefix.Parse("fd01::/64"), OutputIndex = 2, Protocol = RouteProtocol.Boot,
            Scope = RouteScope.Universe, Metric = 256,
        }, routes[12]);

        // multicast ff00::/8 dev br0 table local
        Assert.Equal(new Route
        {
            Destination = IPPrefix.Parse("ff00::/8"), OutputIndex = 2, Table = RouteTable.Local, Protocol = RouteProtocol.Kernel,
            Scope = RouteScope.Universe, Type = RouteType.Multicast, Metric = 256,
        }, routes[20]);

        Assert.Equal(11, routes.Count(r => r.IpVersion == 4));
        Assert.Equal(7, routes.Count(r => r.Table == RouteTable.Local && r.IpVersion == 4));
    }

    [Fact]
    public void RTA_TABLE_overrides_rtm_table_and_unknown_families_are_skipped()
    {
        const string Ipv4 = """
            00000000 1800 0000 01000000 00000000  # RTM_NEWROUTE
            02 18 00 00 fe 04 fd 01 00000000      # rtmsg: AF_INET /24, table main in the header
            0800 0f00 64000000                    # RTA_TABLE 100
            0800 0100 0a0a0a00                    # RTA_DST 10.10.10.0
            """;
        var route = Replies.DecodeOne<Route>(Replies.Message(Ipv4), RtNetlink.TryDecodeRoute);
        Assert.Equal(100u, route?.Table);
        Assert.Equal(IPPrefix.Parse("10.10.10.0/24"), route?.Destination);
        Assert.Null(route?.Gateway);

        var mpls = Replies.Message(Ipv4);
        mpls[16] = 28; // AF_MPLS
        Assert.Null(Replies.DecodeOne<Route>(mpls, RtNetlink.TryDecodeRoute));
        var deleted = Replies.Message(Ipv4);
        deleted[4] = (byte)RtmType.DelRoute;
        Assert.Null(Replies.DecodeOne<Route>(deleted, RtNetlink.TryDecodeRoute));
    }

    [Fact]
    public void IPv6_default_route_without_RTA_DST_is_the_unspecified_address()
    {
        var route = Replies.DecodeOne<Route>(Replies.Message("""
            00000000 1800 0000 01000000 00000000
            0a 00 00 00 fe 03 00 01 00000000      # AF_INET6 /0
            1400 0500 fe800000000000000000000000000001  # RTA_GATEWAY fe80::1
            0800 0400 03000000                    # RTA_OIF 3
            """), RtNetlink.TryDecodeRoute);
        Assert.NotNull(route);
        Assert.Equal(IPPrefix.Parse("::/0"), route.Destination);
        Assert.True(route.IsDefault);
        Assert.Equal(6, route.IpVersion);
        Assert.Equal(Ip("fe80::1"), route.Gateway);
        Assert.Equal(3, route.OutputIndex);
    }

    [Theory]
    [InlineData("02 21 00 00 fe 03 00 01 00000000", "does not match its address family")]              // /33
    [InlineData("02 08 00 00 fe 03 00 01 00000000 1400 0100 fd000000000000000000000000000000", "does not match its address family")]
    [InlineData("0a 40 00 00 fe 03 00 01 00000000 0800 0100 0a000000", "does not match its address family")]
    [InlineData("02 08 00 00 fe 03 00 01 00000000 0700 0100 0a0000 00", "holds 3 bytes")]
    [InlineData("02 08 00 00 fe 03 00 01 00000000 0600 0600 6400 0000", "attribute 6 holds 2 bytes, needs 4")]
    [InlineData("02 08 00 00 fe 03 00 01 000000", "shorter than struct rtmsg")]
    public void Malformed_route_messages_are_parse_errors(string payload, string message)
    {
        var e = Assert.Throws<NetlinkParseException>(() => Replies.DecodeOne<Route>(
            Replies.Message("00000000 1800 0000 01000000 00000000" + payload), RtNetlink.TryDecodeRoute));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    // ---- neighbours ---------------------------------------------------------------------------------

    [Fact]
    public void Captured_neighbour_dump()
    {
        var all = Replies.DecodeAll<Neighbour>(Hex.LoadGolden("neigh-dump.hex"), RtNetlink.TryDecodeNeighbour);
        Assert.Equal(6, all.Count);
        Assert.Equal(new Neighbour
        {
            Family = NeighbourFamily.IPv4, Index = 2, Destination = Ip("224.0.0.22"),
            Mac = MacAddress.Parse("01:00:5e:00:00:16"), State = NeighbourState.NoArp,
        }, all[0]);
        Assert.Equal(new Neighbour
        {
            Family = NeighbourFamily.IPv4, Index = 2, Destination = Ip("172.17.0.5"),
            Mac = MacAddress.Parse("02:42:ac:11:00:05"), State = NeighbourState.Permanent,
        }, all[1]);
        Assert.Equal(new Neighbour
        {
            Family = NeighbourFamily.IPv6, Index = 4, Destination = Ip("ff02::1:ff1f:70ec"),
            Mac = MacAddress.Parse("33:33:ff:1f:70:ec"), State = NeighbourState.NoArp,
        }, all[2]);
        Assert.All(all, n => Assert.Null(n.Vni));
    }

    [Fact]
    public void Captured_vxlan_fdb_dump()
    {
        var all = Replies.DecodeAll<Neighbour>(Hex.LoadGolden("fdb-dump.hex"), RtNetlink.TryDecodeNeighbour);
        var state = NeighbourState.NoArp | NeighbourState.Permanent;
        // The entry added with "vni 42" on a vni-42 device comes back without NDA_VNI.
        Assert.Equal(
        [
            new Neighbour
            {
                Family = NeighbourFamily.Bridge, Index = 5, Mac = MacAddress.Parse("02:42:ac:11:00:05"),
                Destination = Ip("10.0.0.3"), State = state, Flags = NeighbourFlags.Self,
            },
            new Neighbour
            {
                Family = NeighbourFamily.Bridge, Index = 5, Mac = MacAddress.Parse("00:00:00:00:00:00"),
                Destination = Ip("10.0.0.2"), State = state, Flags = NeighbourFlags.Self,
            },
        ], all);
        Assert.Equal("fdb 02:42:ac:11:00:05 dst 10.0.0.3", all[0].ToString());
    }

    [Fact]
    public void Fdb_entry_with_vni_master_and_vlan()
    {
        var n = Replies.DecodeOne<Neighbour>(Replies.Message("""
            00000000 1c00 0000 01000000 00000000  # RTM_NEWNEIGH
            07 000000 0a000000 8000 16 00         # ndmsg: AF_BRIDGE, index 10, PERMANENT, SELF|MASTER|EXT_LEARNED
            0a00 0200 0242ac110009 0000           # NDA_LLADDR
            0800 0100 c0a80102                    # NDA_DST 192.168.1.2
            0800 0700 39300000                    # NDA_VNI 12345
            0800 0900 02000000                    # NDA_MASTER 2
            0600 0500 6400 0000                   # NDA_VLAN 100
            0600 0600 12b5 0000                   # NDA_PORT (skipped)
            """), RtNetlink.TryDecodeNeighbour);
        Assert.Equal(new Neighbour
        {
            Family = NeighbourFamily.Bridge, Index = 10, Mac = MacAddress.Parse("02:42:ac:11:00:09"), Destination = Ip("192.168.1.2"),
            State = NeighbourState.Permanent, Flags = NeighbourFlags.Self | NeighbourFlags.Master | NeighbourFlags.ExternLearned,
            Vni = 12345, MasterIndex = 2, Vlan = 100,
        }, n);
    }

    [Fact]
    public void Incomplete_neighbour_has_no_mac()
    {
        var n = Replies.DecodeOne<Neighbour>(Replies.Message("""
            00000000 1c00 0000 01000000 00000000
            02 000000 02000000 0100 00 01         # AF_INET, index 2, NUD_INCOMPLETE
            0800 0100 ac110063                    # NDA_DST 172.17.0.99
            0400 0200                             # NDA_LLADDR empty
            """), RtNetlink.TryDecodeNeighbour);
        Assert.NotNull(n);
        Assert.Null(n.Mac);
        Assert.Equal(NeighbourState.Incomplete, n.State);
        Assert.Equal(Ip("172.17.0.99"), n.Destination);
    }

    [Theory]
    [InlineData("02 000000 02000000 8000 00", "shorter than struct ndmsg")]
    [InlineData("07 000000 02000000 8000 00 00 0600 0700 2a00 0000", "attribute 7 holds 2 bytes, needs 4")]
    [InlineData("07 000000 02000000 8000 00 00 0500 0500 0a 000000", "attribute 5 holds 1 bytes, needs 2")]
    [InlineData("02 000000 02000000 8000 00 00 0800 0100 0a00", "attribute 1 has length 8 but only 6 bytes remain")]
    public void Malformed_neighbour_messages_are_parse_errors(string payload, string message)
    {
        var e = Assert.Throws<NetlinkParseException>(() => Replies.DecodeOne<Neighbour>(
            Replies.Message("00000000 1c00 0000 01000000 00000000" + payload), RtNetlink.TryDecodeNeighbour));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }
}
