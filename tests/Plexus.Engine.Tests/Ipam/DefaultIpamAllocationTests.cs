using Plexus.Engine.Ipam;
using Plexus.Engine.Model;
using static Plexus.Engine.Tests.Ipam.IpamTestKit;

namespace Plexus.Engine.Tests.Ipam;

/// <summary>Endpoint addresses: first-free, serial, static, ranges, release, exhaustion.</summary>
public class DefaultIpamAllocationTests
{
    private readonly IpamService _ipam = IpamService.Create();

    [Fact]
    public void First_free_allocation_skips_network_address_and_gateway()
    {
        _ipam.Add("web", Subnet("172.18.0.0/16"));

        Assert.Equal("172.18.0.2/16", _ipam.Next("web"));
        Assert.Equal("172.18.0.3/16", _ipam.Next("web"));
        Assert.Equal("172.18.0.4/16", _ipam.Next("web"));
    }

    [Fact]
    public void First_free_reuses_the_lowest_released_address()
    {
        _ipam.Add("web", Subnet("172.18.0.0/16"));
        for (int i = 0; i < 5; i++) _ipam.Next("web");

        _ipam.Release(IdOf("web"), Ip("172.18.0.4"));
        _ipam.Release(IdOf("web"), Ip("172.18.0.3"));

        Assert.False(_ipam.IsAllocated(IdOf("web"), Ip("172.18.0.3")));
        Assert.Equal("172.18.0.3/16", _ipam.Next("web"));
        Assert.Equal("172.18.0.4/16", _ipam.Next("web"));
        Assert.Equal("172.18.0.7/16", _ipam.Next("web"));
    }

    [Fact]
    public void Serial_allocation_continues_after_the_last_address_handed_out()
    {
        _ipam.AddSerial("web", Subnet("172.18.0.0/16"));
        Assert.Equal("172.18.0.2/16", _ipam.Next("web"));
        Assert.Equal("172.18.0.3/16", _ipam.Next("web"));

        _ipam.Release(IdOf("web"), Ip("172.18.0.2"));
        Assert.Equal("172.18.0.4/16", _ipam.Next("web"));
    }

    [Fact]
    public void Serial_allocation_wraps_around_and_skips_addresses_in_use()
    {
        // .0 network, .1 gateway, .7 broadcast: .2 to .6 for endpoints.
        _ipam.AddSerial("web", Subnet("10.0.0.0/29"));
        for (int i = 2; i <= 6; i++) Assert.Equal($"10.0.0.{i}/29", _ipam.Next("web"));

        _ipam.Release(IdOf("web"), Ip("10.0.0.5"));
        _ipam.Release(IdOf("web"), Ip("10.0.0.3"));
        Assert.Equal("10.0.0.3/29", _ipam.Next("web"));
        Assert.Equal("10.0.0.5/29", _ipam.Next("web"));
        Fails(ErrorKind.Conflict, () => _ipam.Next("web"));
    }

    [Theory]
    [InlineData("false")]
    [InlineData("yes")]
    public void Serial_needs_the_option_set_to_true(string value)
    {
        _ipam.AddNetwork("id-web", "web", [Subnet("172.18.0.0/16")], false,
            new Dictionary<string, string> { [DefaultIpam.SerialOption] = value }, NoHostPrefixes);
        _ipam.Next("web");
        _ipam.Release(IdOf("web"), Ip("172.18.0.2"));
        Assert.Equal("172.18.0.2/16", _ipam.Next("web"));
    }

    [Fact]
    public void Static_request_is_granted_once_and_skipped_by_dynamic_allocation()
    {
        _ipam.Add("web", Subnet("172.18.0.0/16"));

        Assert.Equal("172.18.0.2/16", _ipam.Take("web", "172.18.0.2"));
        Assert.Equal("172.18.0.5/16", _ipam.Take("web", "172.18.0.5"));
        var error = Fails(ErrorKind.Conflict, () => _ipam.Take("web", "172.18.0.5"));
        Assert.Equal("network web: address 172.18.0.5 is already in use", error.Message);
        Assert.Equal("172.18.0.3/16", _ipam.Next("web"));
    }

    [Fact]
    public void Static_request_for_the_gateway_or_an_aux_address_says_what_holds_it()
    {
        _ipam.Add("web", Subnet("172.18.0.0/16", aux: ("printer", "172.18.0.9")));

        var gateway = Fails(ErrorKind.Conflict, () => _ipam.Take("web", "172.18.0.1"));
        Assert.Equal("network web: address 172.18.0.1 is already in use as the gateway of 172.18.0.0/16", gateway.Message);
        var aux = Fails(ErrorKind.Conflict, () => _ipam.Take("web", "172.18.0.9"));
        Assert.Equal("network web: address 172.18.0.9 is already in use as auxiliary address printer", aux.Message);
    }

    [Theory]
    [InlineData("10.0.0.0", "network web: address 10.0.0.0 is the network address of 10.0.0.0/24 and cannot be assigned")]
    [InlineData("10.0.0.255", "network web: address 10.0.0.255 is the broadcast address of 10.0.0.0/24 and cannot be assigned")]
    [InlineData("10.0.1.5", "network web: address 10.0.1.5 is outside subnet 10.0.0.0/24")]
    public void Static_request_for_a_non_host_address_is_an_invalid_argument(string address, string message)
    {
        _ipam.Add("web", Subnet("10.0.0.0/24"));
        Assert.Equal(message, Fails(ErrorKind.InvalidArgument, () => _ipam.Take("web", address)).Message);
    }

    [Fact]
    public void Static_request_of_the_wrong_IP_version_is_an_invalid_argument()
    {
        _ipam.AddV6("web", Subnet("10.0.0.0/24"), Subnet("fd00:1::/64"));

        var error = Fails(ErrorKind.InvalidArgument, () => _ipam.Allocate(IdOf("web"), 4, Ip("fd00:1::5")));
        Assert.Equal("network web: address fd00:1::5 is IPv6 but an IPv4 address was requested", error.Message);
    }

    [Fact]
    public void IPv4_mapped_static_request_is_read_as_IPv4()
    {
        _ipam.Add("web", Subnet("10.0.0.0/24"));
        Assert.Equal("10.0.0.7/24", _ipam.Allocate(IdOf("web"), 4, Ip("::ffff:10.0.0.7")).ToString());
        Assert.True(_ipam.IsAllocated(IdOf("web"), Ip("10.0.0.7")));
    }

    [Fact]
    public void Dynamic_addresses_come_only_from_the_ip_range()
    {
        _ipam.Add("web", Subnet("10.0.0.0/24", "10.0.0.8/29"));

        var got = Enumerable.Range(0, 8).Select(_ => _ipam.Next("web")).ToList();
        Assert.Equal(Enumerable.Range(8, 8).Select(i => $"10.0.0.{i}/24"), got);

        var error = Fails(ErrorKind.Conflict, () => _ipam.Next("web"));
        Assert.Equal("network web: no free address left in IP range 10.0.0.8/29 of 10.0.0.0/24", error.Message);
    }

    [Fact]
    public void Static_request_outside_the_ip_range_but_inside_the_subnet_is_granted()
    {
        // Docker allows it; fixed addresses are kept outside the range so dynamic ones never take them.
        _ipam.Add("web", Subnet("10.0.0.0/24", "10.0.0.128/25"));
        Assert.Equal("10.0.0.10/24", _ipam.Take("web", "10.0.0.10"));
        Assert.Equal("10.0.0.128/24", _ipam.Next("web"));
    }

    [Fact]
    public void A_range_holding_the_gateway_and_an_aux_address_skips_both()
    {
        _ipam.Add("web", Subnet("10.0.0.0/24", "10.0.0.0/29", aux: ("nas", "10.0.0.4")));

        var got = Enumerable.Range(0, 5).Select(_ => _ipam.Next("web")).ToList();
        Assert.Equal(["10.0.0.2/24", "10.0.0.3/24", "10.0.0.5/24", "10.0.0.6/24", "10.0.0.7/24"], got);
        Fails(ErrorKind.Conflict, () => _ipam.Next("web"));
    }

    [Fact]
    public void Exhausted_subnet_is_a_conflict_naming_network_and_subnet()
    {
        _ipam.Add("web", Subnet("172.18.0.0/30"));
        Assert.Equal("172.18.0.2/30", _ipam.Next("web"));

        var error = Fails(ErrorKind.Conflict, () => _ipam.Next("web"));
        Assert.Equal("network web: no free address left in 172.18.0.0/30", error.Message);
    }

    [Fact]
    public void Exhausted_subnet_takes_addresses_again_after_a_release()
    {
        _ipam.Add("web", Subnet("10.0.0.0/29"));
        var all = Enumerable.Range(0, 5).Select(_ => _ipam.Next("web")).ToList();
        Fails(ErrorKind.Conflict, () => _ipam.Next("web"));

        _ipam.Release(IdOf("web"), Ip("10.0.0.4"));
        Assert.Equal("10.0.0.4/29", _ipam.Next("web"));
        Assert.Equal(5, all.Distinct().Count());
    }

    [Fact]
    public void A_second_subnet_of_the_same_version_is_used_once_the_first_is_full()
    {
        _ipam.Add("web", Subnet("10.0.0.0/30"), Subnet("10.0.1.0/30"));

        Assert.Equal("10.0.0.2/30", _ipam.Next("web"));
        Assert.Equal("10.0.1.2/30", _ipam.Next("web"));
        var error = Fails(ErrorKind.Conflict, () => _ipam.Next("web"));
        Assert.Equal("network web: no free address left in 10.0.0.0/30, 10.0.1.0/30", error.Message);

        _ipam.Release(IdOf("web"), Ip("10.0.0.2"));
        Assert.Equal("10.0.0.2/30", _ipam.Next("web"));
    }

    [Fact]
    public void Static_request_finds_its_subnet_among_several()
    {
        _ipam.Add("web", Subnet("10.0.0.0/24"), Subnet("10.0.1.0/24"));
        Assert.Equal("10.0.1.9/24", _ipam.Take("web", "10.0.1.9"));
        var error = Fails(ErrorKind.InvalidArgument, () => _ipam.Take("web", "10.0.2.9"));
        Assert.Equal("network web: address 10.0.2.9 is outside subnets 10.0.0.0/24, 10.0.1.0/24", error.Message);
    }

    [Fact]
    public void Releasing_the_gateway_an_aux_address_or_a_free_address_changes_nothing()
    {
        _ipam.Add("web", Subnet("10.0.0.0/29", aux: ("nas", "10.0.0.2")));

        _ipam.Release(IdOf("web"), Ip("10.0.0.1"));
        _ipam.Release(IdOf("web"), Ip("10.0.0.2"));
        _ipam.Release(IdOf("web"), Ip("10.0.0.5"));
        _ipam.Release(IdOf("web"), Ip("10.0.0.0"));
        _ipam.Release(IdOf("web"), Ip("192.0.2.1"));
        _ipam.Release(IdOf("web"), Ip("fd00::1"));

        Assert.True(_ipam.IsAllocated(IdOf("web"), Ip("10.0.0.1")));
        Assert.True(_ipam.IsAllocated(IdOf("web"), Ip("10.0.0.2")));
        Assert.Equal("10.0.0.3/29", _ipam.Next("web"));
        Fails(ErrorKind.Conflict, () => _ipam.Take("web", "10.0.0.1"));
    }

    [Fact]
    public void IsAllocated_follows_allocation_and_release()
    {
        _ipam.Add("web", Subnet("10.0.0.0/24"));
        var id = IdOf("web");

        Assert.False(_ipam.IsAllocated(id, Ip("10.0.0.2")));
        _ipam.Next("web");
        Assert.True(_ipam.IsAllocated(id, Ip("10.0.0.2")));
        _ipam.Release(id, Ip("10.0.0.2"));
        Assert.False(_ipam.IsAllocated(id, Ip("10.0.0.2")));

        Assert.False(_ipam.IsAllocated(id, Ip("10.0.0.0")));
        Assert.False(_ipam.IsAllocated(id, Ip("10.0.0.255")));
        Assert.False(_ipam.IsAllocated(id, Ip("10.9.0.2")));
    }

    [Fact]
    public void IPv6_allocation_from_a_user_64()
    {
        _ipam.AddV6("web", Subnet("fd00:1::/64"));

        Assert.Equal("fd00:1::2/64", _ipam.Next("web", 6));
        Assert.Equal("fd00:1::abcd/64", _ipam.Take("web", "fd00:1::abcd"));
        Assert.Equal("fd00:1::3/64", _ipam.Next("web", 6));
        // No broadcast in IPv6: the last address is an ordinary host address.
        Assert.Equal("fd00:1::ffff:ffff:ffff:ffff/64", _ipam.Take("web", "fd00:1::ffff:ffff:ffff:ffff"));

        var anycast = Fails(ErrorKind.InvalidArgument, () => _ipam.Take("web", "fd00:1::"));
        Assert.Equal("network web: address fd00:1:: is the subnet-router anycast address of fd00:1::/64 and cannot be assigned", anycast.Message);
        var used = Fails(ErrorKind.Conflict, () => _ipam.Take("web", "fd00:1::abcd"));
        Assert.Equal("network web: address fd00:1::abcd is already in use", used.Message);
        Assert.Equal("172.17.0.2/16", _ipam.Next("web"));
    }

    [Fact]
    public void IPv6_allocation_from_the_default_pool_and_a_range()
    {
        _ipam.AddV6("auto");
        Assert.Equal("fd00:504c::2/64", _ipam.Next("auto", 6));

        _ipam.AddV6("ranged", Subnet("fd00:2::/64", "fd00:2::1:0/112"));
        Assert.Equal("fd00:2::1:0/64", _ipam.Next("ranged", 6));
        Assert.Equal("fd00:2::1:1/64", _ipam.Next("ranged", 6));
    }

    [Fact]
    public void Serial_IPv6_allocation_wraps_within_its_range()
    {
        _ipam.AddNetwork("id-web", "web", [Subnet("fd00:3::/64", "fd00:3::10/126")], true, SerialOptions, NoHostPrefixes);
        var got = Enumerable.Range(0, 4).Select(_ => _ipam.Next("web", 6)).ToList();
        Assert.Equal(["fd00:3::10/64", "fd00:3::11/64", "fd00:3::12/64", "fd00:3::13/64"], got);

        _ipam.Release(IdOf("web"), Ip("fd00:3::11"));
        Assert.Equal("fd00:3::11/64", _ipam.Next("web", 6));
    }

    [Fact]
    public void Unknown_or_removed_network_is_not_found()
    {
        var unknown = Fails(ErrorKind.NotFound, () => _ipam.Allocate("0123456789abcdef", 4));
        Assert.Equal("network 0123456789ab is not registered with IPAM", unknown.Message);

        _ipam.Add("web", Subnet("10.0.0.0/24"));
        _ipam.RemoveNetwork(IdOf("web"));
        Fails(ErrorKind.NotFound, () => _ipam.Next("web"));
        Fails(ErrorKind.NotFound, () => _ipam.Release(IdOf("web"), Ip("10.0.0.2")));
        Fails(ErrorKind.NotFound, () => _ipam.IsAllocated(IdOf("web"), Ip("10.0.0.2")));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    public void IP_version_must_be_4_or_6(int version)
    {
        _ipam.Add("web", Subnet("10.0.0.0/24"));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ipam.Allocate(IdOf("web"), version));
    }
}
