using System.Net;
using Plexus.Kernel.Netlink;
using Plexus.Kernel.Rtnl;
using Plexus.Kernel.Rtnl.LinkKinds;
using Plexus.Testing;
using Plexus.Kernel.Types;

namespace Plexus.Kernel.Tests.Privileged;

[Trait("Category", "Privileged")]
public sealed class AddressRouteTests
{
    [PrivilegedFact]
    public void IPv4_and_IPv6_addresses_are_added_listed_and_deleted()
    {
        using var net = new TestNetwork();
        var h = net.Host;
        int d0 = h.UpLink("d0");
        var v4 = IPPrefix.Parse("10.20.0.1/24");
        var v6 = IPPrefix.Parse("fd00:20::1/64");
        h.AddAddress(d0, v4);
        h.AddAddress(d0, v6, AddressFlags.NoDad);

        var listed = h.ListAddresses(d0);
        Assert.Contains(listed, a => a.Prefix == v4);
        Assert.Contains(listed, a => a.Prefix == v6 && (a.Flags & AddressFlags.NoDad) != 0);
        Assert.All(h.ListAddresses(d0, ipVersion: 4), a => Assert.True(a.Prefix.IsIPv4));

        var ip = Assert.Single(IpJson.Query(net, "host", "addr", "show", "d0")).GetProperty("addr_info")
            .EnumerateArray().Select(a => $"{a.Str("local")}/{a.GetProperty("prefixlen").GetInt32()}").ToHashSet();
        Assert.Contains("10.20.0.1/24", ip);
        Assert.Contains("fd00:20::1/64", ip);

        var dup = Assert.Throws<NetlinkException>(() => h.AddAddress(d0, v4));
        Assert.Contains("10.20.0.1/24", dup.Message, StringComparison.Ordinal);
        Assert.Contains("'d0'", dup.Message, StringComparison.Ordinal);
        Assert.Contains("already present", dup.Message, StringComparison.Ordinal);

        h.DeleteAddress(d0, v4);
        h.DeleteAddress(d0, v6);
        Assert.DoesNotContain(h.ListAddresses(d0), a => a.Prefix == v4 || a.Prefix == v6);
        var again = Assert.Throws<NetlinkException>(() => h.DeleteAddress(d0, v4));
        Assert.Contains("no such address", again.Message, StringComparison.Ordinal);
    }

    [PrivilegedFact]
    public void A_prefix_out_of_range_is_refused_before_the_kernel()
    {
        var e = Assert.Throws<FormatException>(() => IPPrefix.Parse("10.0.0.1/33"));
        Assert.Contains("/33", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new IPPrefix(IPAddress.Parse("10.0.0.1"), 40));
    }

    [PrivilegedFact]
    public void Routes_are_added_replaced_listed_and_deleted_per_table()
    {
        using var net = new TestNetwork();
        var h = net.Host;
        int d0 = h.UpLink("d0"), d1 = h.UpLink("d1");
        h.AddAddress(d0, IPPrefix.Parse("10.30.0.1/24"));
        h.AddAddress(d1, IPPrefix.Parse("10.31.0.1/24"));

        h.AddRoute(Route.DefaultVia(IPAddress.Parse("10.30.0.254"), d0));
        var custom = new Route { Destination = IPPrefix.Parse("198.51.100.0/24"), Gateway = IPAddress.Parse("10.30.0.254"), Table = 100, Metric = 10 };
        h.AddRoute(custom);
        var direct = new Route { Destination = IPPrefix.Parse("203.0.113.0/24"), OutputIndex = d1 };
        h.AddRoute(direct);

        var main = h.ListRoutes(4);
        var def = Assert.Single(main, r => r.IsDefault);
        Assert.Equal(IPAddress.Parse("10.30.0.254"), def.Gateway);
        Assert.Equal(d0, def.OutputIndex);
        Assert.Contains(main, r => r.Destination.Network.ToString() == "203.0.113.0/24" && r.Scope == RouteScope.Link);
        var inTable = Assert.Single(h.ListRoutes(4, 100));
        Assert.Equal(10u, inTable.Metric);
        Assert.Equal(100u, inTable.Table);
        Assert.Equal("10.30.0.254", Assert.Single(IpJson.Query(net, "host", "route", "show", "table", "100")).Str("gateway"));

        // Replace moves the default route to the other device's gateway.
        h.ReplaceRoute(Route.DefaultVia(IPAddress.Parse("10.31.0.254"), d1));
        def = Assert.Single(h.ListRoutes(4), r => r.IsDefault);
        Assert.Equal(d1, def.OutputIndex);
        Assert.Equal("10.31.0.254", Assert.Single(IpJson.Query(net, "host", "route", "show", "default")).Str("gateway"));

        var dup = Assert.Throws<NetlinkException>(() => h.AddRoute(direct));
        Assert.Contains("already exists", dup.Message, StringComparison.Ordinal);
        var unreachable = Assert.Throws<NetlinkException>(() => h.AddRoute(new Route { Destination = IPPrefix.Parse("192.0.2.0/24"), Gateway = IPAddress.Parse("10.99.0.1") }));
        Assert.Contains("10.99.0.1", unreachable.Message, StringComparison.Ordinal);

        h.DeleteRoute(custom);
        h.DeleteRoute(direct);
        // The kernel's own connected route (proto kernel) can be deleted too, as with `ip route del`.
        h.DeleteRoute(new Route { Destination = IPPrefix.Parse("10.30.0.0/24"), OutputIndex = d0 });
        Assert.DoesNotContain(h.ListRoutes(4), r => r.Destination.Network.ToString() == "10.30.0.0/24");
        Assert.Empty(h.ListRoutes(4, 100));
        Assert.DoesNotContain(h.ListRoutes(4), r => r.Destination.Network.ToString() == "203.0.113.0/24");
    }

    [PrivilegedFact]
    public void IPv6_default_route_via_gateway()
    {
        using var net = new TestNetwork();
        var h = net.Host;
        int d0 = h.UpLink("d0");
        h.AddAddress(d0, IPPrefix.Parse("fd00:40::1/64"), AddressFlags.NoDad);
        h.AddRoute(Route.DefaultVia(IPAddress.Parse("fd00:40::fe"), d0));
        var def = Assert.Single(h.ListRoutes(6), r => r.IsDefault);
        Assert.Equal(IPAddress.Parse("fd00:40::fe"), def.Gateway);
        Assert.Equal("fd00:40::fe", Assert.Single(IpJson.Query(net, "host", "-6", "route", "show", "default")).Str("gateway"));
    }
}
