using Plexus.Engine.Ipam;
using Plexus.Engine.Model;
using static Plexus.Engine.Tests.Ipam.IpamTestKit;

namespace Plexus.Engine.Tests.Ipam;

/// <summary>User subnets: --subnet, --gateway, --ip-range, --aux-address and their validation.</summary>
public class DefaultIpamSubnetTests
{
    private readonly IpamService _ipam = IpamService.Create();

    [Fact]
    public void User_subnet_gets_its_first_host_as_gateway()
    {
        var subnets = _ipam.Add("web", Subnet("172.18.0.0/16"));

        var s = Assert.Single(subnets);
        Assert.Equal(Net("172.18.0.0/16"), s.Subnet);
        Assert.Equal(Ip("172.18.0.1"), s.Gateway);
        Assert.Null(s.IPRange);
        Assert.True(s.UserDefined);
        Assert.True(_ipam.IsAllocated(IdOf("web"), Ip("172.18.0.1")));
    }

    [Fact]
    public void Given_gateway_range_and_aux_addresses_are_kept()
    {
        var s = Assert.Single(_ipam.Add("web", Subnet("10.1.0.0/16", "10.1.5.0/24", "10.1.0.254", ("host1", "10.1.0.9"))));

        Assert.Equal(Ip("10.1.0.254"), s.Gateway);
        Assert.Equal(Net("10.1.5.0/24"), s.IPRange);
        Assert.Equal(Ip("10.1.0.9"), s.AuxAddresses["host1"]);
        Assert.True(_ipam.IsAllocated(IdOf("web"), Ip("10.1.0.254")));
        Assert.True(_ipam.IsAllocated(IdOf("web"), Ip("10.1.0.9")));
        Assert.False(_ipam.IsAllocated(IdOf("web"), Ip("10.1.0.1")));
    }

    [Fact]
    public void With_ip_range_the_default_gateway_is_still_the_subnets_first_host()
    {
        var s = Assert.Single(_ipam.Add("web", Subnet("172.28.0.0/16", "172.28.5.0/24")));
        Assert.Equal(Ip("172.28.0.1"), s.Gateway);
    }

    [Fact]
    public void Default_gateway_passes_over_an_aux_address_on_the_first_host()
    {
        var s = Assert.Single(_ipam.Add("web", Subnet("10.2.0.0/24", aux: ("router", "10.2.0.1"))));
        Assert.Equal(Ip("10.2.0.2"), s.Gateway);
    }

    [Theory]
    [InlineData("10.3.0.0/24", null, "10.4.0.1", "network web: gateway 10.4.0.1 is outside subnet 10.3.0.0/24")]
    [InlineData("10.3.0.0/24", null, "10.3.0.0", "network web: gateway 10.3.0.0 is the network address of 10.3.0.0/24")]
    [InlineData("10.3.0.0/24", null, "10.3.0.255", "network web: gateway 10.3.0.255 is the broadcast address of 10.3.0.0/24")]
    [InlineData("10.3.0.0/24", null, "fd00::1", "network web: gateway fd00::1 is IPv6 but subnet 10.3.0.0/24 is IPv4")]
    [InlineData("fd00:3::/64", null, "fd00:3::", "network web: gateway fd00:3:: is the subnet-router anycast address of fd00:3::/64")]
    [InlineData("10.3.0.0/24", "10.3.1.0/28", null, "network web: IP range 10.3.1.0/28 is outside subnet 10.3.0.0/24")]
    [InlineData("10.3.0.0/24", "10.3.0.0/23", null, "network web: IP range 10.3.0.0/23 is outside subnet 10.3.0.0/24")]
    [InlineData("10.3.0.0/24", "fd00::/120", null, "network web: IP range fd00::/120 is IPv6 but subnet 10.3.0.0/24 is IPv4")]
    public void Bad_gateway_or_range_is_an_invalid_argument(string subnet, string? range, string? gateway, string message)
    {
        var error = Fails(ErrorKind.InvalidArgument, () => _ipam.AddV6("web", Subnet(subnet, range, gateway)));
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Aux_address_outside_the_subnet_is_an_invalid_argument()
    {
        var error = Fails(ErrorKind.InvalidArgument, () => _ipam.Add("web", Subnet("10.5.0.0/24", aux: ("db", "10.6.0.3"))));
        Assert.Equal("network web: auxiliary address db=10.6.0.3 is outside subnet 10.5.0.0/24", error.Message);
    }

    [Fact]
    public void Aux_address_on_the_gateway_or_on_another_aux_address_is_an_invalid_argument()
    {
        var onGateway = Fails(ErrorKind.InvalidArgument, () => _ipam.Add("web", Subnet("10.5.0.0/24", gateway: "10.5.0.7", aux: ("db", "10.5.0.7"))));
        Assert.Equal("network web: auxiliary address db=10.5.0.7 is already the gateway of 10.5.0.0/24", onGateway.Message);

        var twice = Fails(ErrorKind.InvalidArgument, () => _ipam.Add("web", Subnet("10.5.0.0/24", aux: [("a", "10.5.0.9"), ("b", "10.5.0.9")])));
        Assert.Equal("network web: auxiliary address b=10.5.0.9 is already auxiliary address a", twice.Message);

        var broadcast = Fails(ErrorKind.InvalidArgument, () => _ipam.Add("web", Subnet("10.5.0.0/24", aux: ("b", "10.5.0.255"))));
        Assert.Contains("is the broadcast address of 10.5.0.0/24", broadcast.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10.7.0.0/31", "use /30 or larger")]
    [InlineData("10.7.0.1/32", "use /30 or larger")]
    [InlineData("fd00:7::/127", "use /126 or larger")]
    [InlineData("fd00:7::1/128", "use /126 or larger")]
    public void Subnets_without_room_for_gateway_and_endpoint_are_rejected(string subnet, string advice)
    {
        var error = Fails(ErrorKind.InvalidArgument, () => _ipam.AddV6("web", Subnet(subnet)));
        Assert.Equal($"network web: subnet {subnet} is too small: it needs room for a gateway and at least one endpoint ({advice})", error.Message);
    }

    [Fact]
    public void The_whole_address_space_is_not_a_subnet()
    {
        var error = Fails(ErrorKind.InvalidArgument, () => _ipam.Add("web", Subnet("0.0.0.0/0")));
        Assert.Contains("covers the whole IPv4 address space", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Smallest_subnets_hold_exactly_one_endpoint()
    {
        _ipam.AddV6("web", Subnet("10.8.0.0/30"), Subnet("fd00:8::/126"));

        Assert.Equal("10.8.0.2/30", _ipam.Next("web"));
        Assert.Equal("fd00:8::2/126", _ipam.Next("web", 6));
        Assert.Equal("fd00:8::3/126", _ipam.Next("web", 6));
        Fails(ErrorKind.Conflict, () => _ipam.Next("web"));
    }

    [Fact]
    public void Gateway_without_subnet_is_an_invalid_argument()
    {
        var error = Fails(ErrorKind.InvalidArgument,
            () => _ipam.Add("web", new IpamRequest { Gateway = Ip("10.9.0.1") }));
        Assert.Equal("network web: gateway 10.9.0.1 needs a subnet (--subnet) to belong to", error.Message);
    }

    [Fact]
    public void Empty_request_means_a_subnet_from_the_default_pools()
    {
        var s = Assert.Single(_ipam.Add("web", new IpamRequest()));
        Assert.Equal(Net("172.17.0.0/16"), s.Subnet);
        Assert.False(s.UserDefined);
    }

    [Fact]
    public void IPv6_subnet_without_ipv6_enabled_is_an_invalid_argument()
    {
        var error = Fails(ErrorKind.InvalidArgument, () => _ipam.Add("web", Subnet("fd00:9::/64")));
        Assert.Equal("network web: IPv6 subnet fd00:9::/64 requires IPv6 to be enabled (--ipv6)", error.Message);
    }

    [Fact]
    public void User_IPv6_subnet_comes_after_a_default_IPv4_subnet()
    {
        var subnets = _ipam.AddV6("web", Subnet("fd00:1::/64"));

        Assert.Equal(2, subnets.Count);
        Assert.Equal((4, "172.17.0.0/16", "172.17.0.1", false), (subnets[0].IpVersion, subnets[0].Subnet.ToString(), subnets[0].Gateway.ToString(), subnets[0].UserDefined));
        Assert.Equal((6, "fd00:1::/64", "fd00:1::1", true), (subnets[1].IpVersion, subnets[1].Subnet.ToString(), subnets[1].Gateway.ToString(), subnets[1].UserDefined));
    }

    [Fact]
    public void Subnet_overlapping_another_network_is_a_conflict_naming_both()
    {
        _ipam.Add("db", Subnet("172.20.5.0/24"));

        var error = Fails(ErrorKind.Conflict, () => _ipam.Add("web", Subnet("172.20.0.0/16")));
        Assert.Equal("network web: subnet 172.20.0.0/16 overlaps subnet 172.20.5.0/24 of network db (Pool overlaps with other one on this address space)", error.Message);

        var same = Fails(ErrorKind.Conflict, () => _ipam.Add("web", Subnet("172.20.5.0/24")));
        Assert.Contains("of network db", same.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Same_subnet_in_another_IP_family_or_beside_it_is_no_overlap()
    {
        _ipam.Add("db", Subnet("172.20.5.0/24"));
        var s = Assert.Single(_ipam.Add("web", Subnet("172.20.6.0/24")));
        Assert.Equal(Net("172.20.6.0/24"), s.Subnet);
    }

    [Fact]
    public void Overlapping_subnets_in_one_request_are_an_invalid_argument()
    {
        var error = Fails(ErrorKind.InvalidArgument, () => _ipam.Add("web", Subnet("10.10.0.0/16"), Subnet("10.10.1.0/24")));
        Assert.Equal("network web: subnets 10.10.0.0/16 and 10.10.1.0/24 overlap", error.Message);
    }

    [Fact]
    public void User_subnet_may_overlap_host_routes()
    {
        // Docker checks host routes only when it picks a subnet itself; a user's choice is the user's.
        var s = _ipam.AddNetwork("id-web", "web", [Subnet("172.17.0.0/16")], false, NoOptions, [Net("172.17.0.0/16")]);
        Assert.Equal(Net("172.17.0.0/16"), Assert.Single(s).Subnet);
    }

    [Fact]
    public void Same_network_id_twice_is_a_conflict()
    {
        _ipam.Add("web", Subnet("10.11.0.0/24"));
        var error = Fails(ErrorKind.Conflict, () => _ipam.Add("web", Subnet("10.12.0.0/24")));
        Assert.Contains("already registered", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Failed_network_leaves_nothing_behind()
    {
        _ipam.Add("db", Subnet("10.13.1.0/24"));
        Fails(ErrorKind.Conflict, () => _ipam.Add("web", Subnet("10.13.0.0/24"), Subnet("10.13.1.0/24")));

        Fails(ErrorKind.NotFound, () => _ipam.Next("web"));
        var s = Assert.Single(_ipam.Add("api", Subnet("10.13.0.0/24")));
        Assert.Equal(Net("10.13.0.0/24"), s.Subnet);
    }

    [Fact]
    public void IPv4_mapped_gateway_is_read_as_IPv4()
    {
        var s = Assert.Single(_ipam.Add("web", Subnet("10.14.0.0/24", gateway: "::ffff:10.14.0.100")));
        Assert.Equal(Ip("10.14.0.100"), s.Gateway);
    }
}
