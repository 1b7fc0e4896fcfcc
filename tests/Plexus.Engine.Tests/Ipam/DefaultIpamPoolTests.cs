using Plexus.Engine.Ipam;
using Plexus.Engine.Model;
using static Plexus.Engine.Tests.Ipam.IpamTestKit;

namespace Plexus.Engine.Tests.Ipam;

/// <summary>Subnets picked from the default address pools, and their release.</summary>
public class DefaultIpamPoolTests
{
    private readonly IpamService _ipam = IpamService.Create();

    [Fact]
    public void Networks_without_subnet_take_the_default_pools_in_order()
    {
        var first = Assert.Single(_ipam.Add("a"));
        var second = Assert.Single(_ipam.Add("b"));

        Assert.Equal((Net("172.17.0.0/16"), Ip("172.17.0.1"), false), (first.Subnet, first.Gateway, first.UserDefined));
        Assert.Equal((Net("172.18.0.0/16"), Ip("172.18.0.1")), (second.Subnet, second.Gateway));
    }

    [Fact]
    public void After_the_172_pools_come_20s_of_192_168()
    {
        for (int i = 17; i <= 31; i++)
            Assert.Equal(Net($"172.{i}.0.0/16"), Assert.Single(_ipam.Add($"n{i}")).Subnet);

        Assert.Equal(Net("192.168.0.0/20"), Assert.Single(_ipam.Add("x")).Subnet);
        Assert.Equal(Net("192.168.16.0/20"), Assert.Single(_ipam.Add("y")).Subnet);
    }

    [Fact]
    public void Candidates_overlapping_host_routes_or_addresses_are_skipped()
    {
        // docker0 holds 172.17.0.0/16; some interface has 172.18.3.4/32.
        var s = Assert.Single(_ipam.AddBeside("web", "172.17.0.0/16", "172.18.3.4/32"));
        Assert.Equal(Net("172.19.0.0/16"), s.Subnet);
    }

    [Fact]
    public void A_host_route_covering_all_172_pools_sends_networks_to_192_168()
    {
        var s = Assert.Single(_ipam.AddBeside("web", "172.16.0.0/12", "192.168.0.0/24"));
        Assert.Equal(Net("192.168.16.0/20"), s.Subnet);
    }

    [Fact]
    public void A_default_route_among_host_prefixes_is_ignored()
    {
        var s = Assert.Single(_ipam.AddBeside("web", "0.0.0.0/0"));
        Assert.Equal(Net("172.17.0.0/16"), s.Subnet);
    }

    [Fact]
    public void Candidates_overlapping_other_networks_are_skipped()
    {
        _ipam.Add("user", Subnet("172.17.200.0/24"));
        _ipam.Add("auto");

        Assert.Equal(Net("172.19.0.0/16"), Assert.Single(_ipam.Add("web")).Subnet);
    }

    [Fact]
    public void Exhausted_default_pools_are_a_conflict_that_says_what_to_do()
    {
        var ipam = IpamService.Create([new AddressPoolSpec(Net("10.20.0.0/23"), 24)]);
        ipam.Add("a");
        ipam.Add("b");

        var error = Fails(ErrorKind.Conflict, () => ipam.Add("web"));
        Assert.Equal("network web: no free IPv4 subnet left in the default address pools (10.20.0.0/23 split into /24): "
            + "every candidate overlaps another network or a route or address on the host; remove a network or choose a subnet with --subnet",
            error.Message);
    }

    [Fact]
    public void Removing_a_network_frees_its_subnet_for_the_next_one()
    {
        _ipam.Add("a");
        _ipam.Add("b");
        _ipam.RemoveNetwork(IdOf("a"));

        Assert.Equal(Net("172.17.0.0/16"), Assert.Single(_ipam.Add("c")).Subnet);
    }

    [Fact]
    public void Removing_a_network_frees_its_subnet_for_a_user_subnet()
    {
        _ipam.Add("old", Subnet("10.30.0.0/16"));
        Fails(ErrorKind.Conflict, () => _ipam.Add("new", Subnet("10.30.1.0/24")));

        _ipam.RemoveNetwork(IdOf("old"));
        Assert.Equal(Net("10.30.1.0/24"), Assert.Single(_ipam.Add("new", Subnet("10.30.1.0/24"))).Subnet);
        Fails(ErrorKind.NotFound, () => _ipam.Next("old"));
    }

    [Fact]
    public void Removing_an_unknown_network_is_a_no_op()
    {
        _ipam.RemoveNetwork("never-added");
        _ipam.Add("web");
        _ipam.RemoveNetwork(IdOf("web"));
        _ipam.RemoveNetwork(IdOf("web"));
        Assert.Equal(Net("172.17.0.0/16"), Assert.Single(_ipam.Add("again")).Subnet);
    }

    [Fact]
    public void Configured_pools_replace_the_IPv4_defaults_and_keep_the_IPv6_default()
    {
        var ipam = IpamService.Create([new AddressPoolSpec(Net("10.40.0.0/16"), 24)]);

        Assert.Equal(Net("10.40.0.0/24"), Assert.Single(ipam.Add("a")).Subnet);
        Assert.Equal(Net("10.40.1.0/24"), Assert.Single(ipam.Add("b")).Subnet);
        Assert.Equal(AddressPoolSpec.DefaultIPv6, DefaultDriver(ipam).DefaultPools[^1]);
        Assert.Equal(Net("fd00:504c::/64"), ipam.AddV6("c")[1].Subnet);
    }

    [Fact]
    public void A_configured_IPv6_pool_replaces_the_IPv6_default()
    {
        var ipam = IpamService.Create([new AddressPoolSpec(Net("10.40.0.0/16"), 24), new AddressPoolSpec(Net("fd12:3456::/56"), 64)]);

        Assert.Equal(2, DefaultDriver(ipam).DefaultPools.Count);
        var subnets = ipam.AddV6("a");
        Assert.Equal(Net("fd12:3456::/64"), subnets[1].Subnet);
        Assert.Equal(Net("fd12:3456:0:1::/64"), ipam.AddV6("b")[1].Subnet);
    }

    [Fact]
    public void Pools_are_searched_in_the_order_given()
    {
        var ipam = IpamService.Create([new AddressPoolSpec(Net("10.50.0.0/24"), 24), new AddressPoolSpec(Net("10.0.0.0/8"), 16)]);

        Assert.Equal(Net("10.50.0.0/24"), Assert.Single(ipam.Add("a")).Subnet);
        // 10.0.0.0/16 is free; 10.50.0.0/16 is blocked by "a", but the search never gets that far.
        Assert.Equal(Net("10.0.0.0/16"), Assert.Single(ipam.Add("b")).Subnet);
    }

    [Fact]
    public void IPv6_network_gets_a_64_from_the_ULA_default_pool()
    {
        var subnets = _ipam.AddV6("web");

        Assert.Equal(2, subnets.Count);
        Assert.Equal(Net("172.17.0.0/16"), subnets[0].Subnet);
        Assert.Equal((Net("fd00:504c::/64"), Ip("fd00:504c::1"), false), (subnets[1].Subnet, subnets[1].Gateway, subnets[1].UserDefined));
        Assert.Equal(Net("fd00:504c:0:1::/64"), _ipam.AddV6("db")[1].Subnet);
    }

    [Fact]
    public void IPv6_default_skips_host_prefixes_and_other_networks()
    {
        _ipam.AddV6("user", Subnet("fd00:504c:0:2::/64"));
        var subnets = _ipam.AddNetwork("id-web", "web", [], true, NoOptions, [Net("fd00:504c::/63"), Net("fe80::/64")]);

        Assert.Equal(Net("fd00:504c:0:3::/64"), subnets[1].Subnet);
    }

    [Fact]
    public void A_network_without_ipv6_gets_no_IPv6_subnet()
    {
        var s = Assert.Single(_ipam.Add("web"));
        Assert.Equal(4, s.IpVersion);
        var error = Fails(ErrorKind.InvalidArgument, () => _ipam.Next("web", 6));
        Assert.Equal("network web: no IPv6 subnet to allocate from (it was created without --ipv6)", error.Message);
    }

    [Fact]
    public void A_host_route_over_half_the_IPv6_pool_is_skipped_to_the_first_64_past_it()
    {
        var subnets = _ipam.AddNetwork("id-web", "web", [], true, NoOptions, [Net("fd00:504c::/49")]);
        Assert.Equal(Net("fd00:504c:0:8000::/64"), subnets[1].Subnet);
    }

    [Fact]
    public void Constructor_rejects_null_pools() =>
        Assert.Throws<ArgumentNullException>(() => new DefaultIpam([null!]));
}
