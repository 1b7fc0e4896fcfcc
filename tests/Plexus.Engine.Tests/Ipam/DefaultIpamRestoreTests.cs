using System.Net;
using Plexus.Engine.Ipam;
using Plexus.Engine.Model;
using static Plexus.Engine.Tests.Ipam.IpamTestKit;

namespace Plexus.Engine.Tests.Ipam;

/// <summary>Re-registering networks read from the store after a restart.</summary>
public class DefaultIpamRestoreTests
{
    private readonly IpamService _ipam = IpamService.Create();

    private static SubnetState State(string subnet, string gateway, string? range = null, bool userDefined = true) => new()
    {
        Subnet = Net(subnet),
        Gateway = Ip(gateway),
        IPRange = range is null ? null : Net(range),
        UserDefined = userDefined,
    };

    private void Restore(string name, IReadOnlyList<SubnetState> subnets, IReadOnlyDictionary<string, string>? options = null, params string[] allocated) =>
        _ipam.RestoreNetwork(IdOf(name), name, subnets, options ?? NoOptions, allocated.Select(Ip));

    [Fact]
    public void Restored_allocations_are_refused_as_in_use_and_skipped()
    {
        Restore("web", [State("172.18.0.0/16", "172.18.0.1")], null, "172.18.0.2", "172.18.0.4");

        Assert.True(_ipam.IsAllocated(IdOf("web"), Ip("172.18.0.2")));
        Assert.True(_ipam.IsAllocated(IdOf("web"), Ip("172.18.0.1")));
        var error = Fails(ErrorKind.Conflict, () => _ipam.Take("web", "172.18.0.4"));
        Assert.Equal("network web: address 172.18.0.4 is already in use", error.Message);
        Assert.Equal("172.18.0.3/16", _ipam.Next("web"));
        Assert.Equal("172.18.0.5/16", _ipam.Next("web"));
    }

    [Fact]
    public void Restored_network_keeps_its_range_aux_addresses_and_IPv6_subnet()
    {
        var v4 = State("10.0.0.0/24", "10.0.0.1", "10.0.0.16/28") with
        {
            AuxAddresses = new Dictionary<string, IPAddress> { ["nas"] = Ip("10.0.0.16") },
        };
        Restore("web", [State("fd00:5::/64", "fd00:5::1"), v4], null, "10.0.0.17", "fd00:5::2");

        Assert.Equal("10.0.0.18/24", _ipam.Next("web"));
        Assert.Equal("fd00:5::3/64", _ipam.Next("web", 6));
        Fails(ErrorKind.Conflict, () => _ipam.Take("web", "10.0.0.16"));
    }

    [Fact]
    public void Restored_subnets_are_kept_clear_of_new_networks()
    {
        Restore("old", [State("172.17.0.0/16", "172.17.0.1", userDefined: false)]);

        Assert.Equal(Net("172.18.0.0/16"), Assert.Single(_ipam.Add("web")).Subnet);
        var error = Fails(ErrorKind.Conflict, () => _ipam.Add("user", Subnet("172.17.3.0/24")));
        Assert.Contains("overlaps subnet 172.17.0.0/16 of network old", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Restored_serial_network_continues_after_the_highest_address_in_use()
    {
        Restore("web", [State("10.0.0.0/24", "10.0.0.1")], SerialOptions, "10.0.0.9", "10.0.0.3");
        Assert.Equal("10.0.0.10/24", _ipam.Next("web"));

        Restore("plain", [State("10.0.1.0/24", "10.0.1.1")], null, "10.0.1.9", "10.0.1.3");
        Assert.Equal("10.0.1.2/24", _ipam.Next("plain"));
    }

    [Fact]
    public void Repeated_addresses_and_the_gateway_among_allocations_are_accepted()
    {
        Restore("web", [State("10.0.0.0/24", "10.0.0.1")], null, "10.0.0.1", "10.0.0.2", "10.0.0.2");
        Assert.Equal("10.0.0.3/24", _ipam.Next("web"));
        _ipam.Release(IdOf("web"), Ip("10.0.0.1"));
        Assert.True(_ipam.IsAllocated(IdOf("web"), Ip("10.0.0.1")));
    }

    [Fact]
    public void Address_outside_the_subnets_fails_the_whole_restore()
    {
        var error = Fails(ErrorKind.InvalidArgument,
            () => Restore("web", [State("10.0.0.0/24", "10.0.0.1")], null, "10.0.0.5", "10.9.9.9"));
        Assert.Equal("network web: restored address 10.9.9.9 is outside subnet 10.0.0.0/24", error.Message);

        Fails(ErrorKind.NotFound, () => _ipam.Next("web"));
        Restore("web", [State("10.0.0.0/24", "10.0.0.1")]);
        Assert.Equal("10.0.0.2/24", _ipam.Next("web"));
    }

    [Fact]
    public void Broadcast_address_among_allocations_is_an_invalid_argument()
    {
        var error = Fails(ErrorKind.InvalidArgument,
            () => Restore("web", [State("10.0.0.0/24", "10.0.0.1")], null, "10.0.0.255"));
        Assert.Equal("network web: restored address 10.0.0.255 is the broadcast address of 10.0.0.0/24", error.Message);
    }

    [Fact]
    public void Restoring_a_registered_network_is_a_conflict()
    {
        _ipam.Add("web", Subnet("10.0.0.0/24"));
        Fails(ErrorKind.Conflict, () => Restore("web", [State("10.0.0.0/24", "10.0.0.1")]));
        Assert.Equal("10.0.0.2/24", _ipam.Next("web"));
    }

    [Fact]
    public void Restored_state_is_validated_like_a_new_one()
    {
        var error = Fails(ErrorKind.InvalidArgument, () => Restore("web", [State("10.0.0.0/24", "10.0.1.1")]));
        Assert.Equal("network web: gateway 10.0.1.1 is outside subnet 10.0.0.0/24", error.Message);
    }

    [Fact]
    public void A_restored_network_can_be_removed_and_its_subnet_reused()
    {
        Restore("old", [State("172.17.0.0/16", "172.17.0.1", userDefined: false)], null, "172.17.0.2");
        _ipam.RemoveNetwork(IdOf("old"));

        Assert.Equal(Net("172.17.0.0/16"), Assert.Single(_ipam.Add("web")).Subnet);
        Assert.Equal("172.17.0.2/16", _ipam.Next("web"));
    }

    [Fact]
    public void Subnets_added_then_restored_in_a_new_instance_behave_the_same()
    {
        var subnets = _ipam.AddV6("web", Subnet("10.0.0.0/24", "10.0.0.128/25", "10.0.0.254", ("nas", "10.0.0.130")));
        var held = new[] { _ipam.Next("web"), _ipam.Next("web", 6) }.Select(p => IPPrefixAddress(p)).ToList();

        var restarted = IpamService.Create();
        restarted.RestoreNetwork(IdOf("web"), "web", subnets, NoOptions, held);

        Assert.Equal(_ipam.Next("web"), restarted.Next("web"));
        Assert.Equal(_ipam.Next("web", 6), restarted.Next("web", 6));
        Assert.Equal(Net("fd00:504c:0:1::/64"), restarted.AddV6("db")[1].Subnet);
    }

    private static IPAddress IPPrefixAddress(string prefix) => Ip(prefix[..prefix.IndexOf('/', StringComparison.Ordinal)]);
}
