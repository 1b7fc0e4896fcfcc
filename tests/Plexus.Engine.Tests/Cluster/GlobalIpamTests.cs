using System.Net;
using Plexus.Engine.Cluster;
using Plexus.Engine.Ipam;
using Plexus.Engine.Model;
using Plexus.Engine.Store;

namespace Plexus.Engine.Tests.Cluster;

/// <summary>
/// Global IPAM: two "hosts" (each its own local IPAM) over one global store, as two plexusd over one etcd. No address is
/// ever handed out twice; released addresses come back; a dead host's address is freed only while it is dead and
/// still holds it; global subnets that overlap are refused; local networks never touch the store.
/// </summary>
public sealed class GlobalIpamTests : IDisposable
{
    private static readonly IpamRequest Subnet = new() { Subnet = IPNetwork.Parse("10.9.0.0/29") };
    private readonly InMemoryGlobalStore _store = new();
    private readonly GlobalIpam _a = new(IpamService.Create()), _b = new(IpamService.Create());

    public GlobalIpamTests()
    {
        _a.Attach(_store, "host-a");
        _b.Attach(_store, "host-b");
        foreach (var ipam in new[] { _a, _b })
            ipam.RestoreNetwork("net1", "ov", [new SubnetState { Subnet = Subnet.Subnet!.Value, Gateway = IPAddress.Parse("10.9.0.1"), UserDefined = true }],
                new Dictionary<string, string>(), [], scope: DataScope.Global);
    }

    [Fact]
    public void Two_hosts_never_hand_out_one_address_and_a_full_pool_is_a_clear_error()
    {
        var given = new List<IPAddress>();
        // 10.9.0.0/29: .2 to .6 for endpoints (.1 is the gateway), taken alternately by both hosts.
        for (int i = 0; i < 5; i++) given.Add((i % 2 == 0 ? _a : _b).Allocate("net1", 4).Address);
        Assert.Equal(5, given.Distinct().Count());
        Assert.All(given, a => Assert.NotNull(_store.Get(GlobalKeys.Address("net1", a))));
        var full = Assert.Throws<PlexusException>(() => _b.Allocate("net1", 4));
        Assert.NotEqual(ErrorKind.Internal, full.Kind);
    }

    [Fact]
    public void A_requested_address_held_by_another_host_is_a_conflict_naming_it_and_a_released_one_is_free_again()
    {
        var taken = _a.Allocate("net1", 4).Address;
        var e = Assert.Throws<PlexusException>(() => _b.Allocate("net1", 4, taken));
        Assert.Equal(ErrorKind.Conflict, e.Kind);
        Assert.Contains($"address {taken} is already in use (by an endpoint on host host-a)", e.Message, StringComparison.Ordinal);

        _a.Release("net1", taken);
        Assert.Null(_store.Get(GlobalKeys.Address("net1", taken)));
        Assert.Equal(taken, _b.Allocate("net1", 4, taken).Address);
    }

    [Fact]
    public void A_dead_hosts_address_is_freed_only_once_the_host_is_gone()
    {
        var held = _a.Allocate("net1", 4).Address;
        _store.Put(GlobalKeys.Host("host-a"), "{}");
        _b.ReleaseForeign("net1", held, "host-a"); // alive: untouched
        Assert.NotNull(_store.Get(GlobalKeys.Address("net1", held)));
        _store.Delete(GlobalKeys.Host("host-a"));
        _b.ReleaseForeign("net1", held, "host-a");
        Assert.Null(_store.Get(GlobalKeys.Address("net1", held)));
    }

    [Fact]
    public void Overlapping_global_subnets_are_refused_and_a_removed_networks_subnets_are_free()
    {
        var first = new[] { new SubnetState { Subnet = IPNetwork.Parse("10.8.0.0/16"), Gateway = IPAddress.Parse("10.8.0.1") } };
        _a.AddPools("n1", "blue", first);
        var e = Assert.Throws<PlexusException>(() => _b.AddPools("n2", "red", [new SubnetState { Subnet = IPNetwork.Parse("10.8.4.0/24"), Gateway = IPAddress.Parse("10.8.4.1") }]));
        Assert.Equal(ErrorKind.Conflict, e.Kind);
        Assert.Contains("subnet 10.8.4.0/24 overlaps subnet 10.8.0.0/16 of global network blue", e.Message, StringComparison.Ordinal);
        _a.RemovePools("n1");
        _b.AddPools("n2", "red", [new SubnetState { Subnet = IPNetwork.Parse("10.8.4.0/24"), Gateway = IPAddress.Parse("10.8.4.1") }]);
    }

    [Fact]
    public void Reconciling_claims_deletes_those_of_addresses_no_longer_held_and_claims_held_ones_again_unless_taken()
    {
        var kept = _a.Allocate("net1", 4).Address;
        var lost = _a.Allocate("net1", 4).Address;
        var taken = _a.Allocate("net1", 4).Address;
        // What an outage leaves: a claim of an address released meanwhile (the delete failed), and claims of held
        // addresses that another host freed while this one's registration had lapsed (one of them taken since).
        var stale = IPAddress.Parse("10.9.0.6");
        _store.Put(GlobalKeys.Address("net1", stale), "{\"host\":\"host-a\"}");
        _store.Delete(GlobalKeys.Address("net1", lost));
        _store.Delete(GlobalKeys.Address("net1", taken));
        _store.Put(GlobalKeys.Address("net1", taken), "{\"host\":\"host-b\"}");

        Assert.Equal(2, _a.ReconcileClaims(Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance));
        Assert.Null(_store.Get(GlobalKeys.Address("net1", stale)));
        Assert.Contains("host-a", _store.Get(GlobalKeys.Address("net1", lost))!.Value, StringComparison.Ordinal);
        Assert.Contains("host-a", _store.Get(GlobalKeys.Address("net1", kept))!.Value, StringComparison.Ordinal);
        Assert.Contains("host-b", _store.Get(GlobalKeys.Address("net1", taken))!.Value, StringComparison.Ordinal); // not taken back
        Assert.Equal(0, _a.ReconcileClaims(Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance)); // nothing left to do
    }

    [Fact]
    public void An_overlap_is_returned_for_a_picked_subnet_to_be_picked_again_and_nothing_is_recorded()
    {
        _a.AddPools("n1", "blue", [new SubnetState { Subnet = IPNetwork.Parse("10.8.0.0/24"), Gateway = IPAddress.Parse("10.8.0.1") }]);
        long before = _store.Revision;
        var overlap = _b.TryAddPools("n2", "red", [new SubnetState { Subnet = IPNetwork.Parse("10.8.0.0/24"), Gateway = IPAddress.Parse("10.8.0.1") }]);
        Assert.Equal(("blue", "10.8.0.0/24"), (overlap?.Pool.Name, overlap?.Pool.Subnet));
        Assert.Equal(before, _store.Revision);
        Assert.Equal([IPNetwork.Parse("10.8.0.0/24")], _b.GlobalSubnets());
    }

    [Fact]
    public void Local_networks_pass_through_without_the_store()
    {
        long before = _store.Revision;
        _a.AddNetwork("local1", "br", [new IpamRequest { Subnet = IPNetwork.Parse("10.7.0.0/24") }], false, new Dictionary<string, string>(), []);
        var address = _a.Allocate("local1", 4).Address;
        _a.Release("local1", address);
        Assert.Equal(before, _store.Revision);
    }

    public void Dispose() => _store.Dispose();
}
