using System.Net;
using Plexus.Engine.Cluster;
using Plexus.Engine.Ipam;
using Plexus.Engine.Model;
using Plexus.Engine.Store;

namespace Plexus.Engine.Tests.Cluster;

/// <summary>
/// Global IPAM with many hosts taking addresses in turn (what bench/overlay-scale.sh does with 10 hosts and 1000
/// endpoints): every allocation succeeds, no address is handed out twice, and the claims written to the store stay
/// in proportion to the hosts, not to the addresses already taken (each host tries an address another holds once).
/// </summary>
public sealed class GlobalIpamScaleTests : IDisposable
{
    private const int Hosts = 10, Endpoints = 1000;
    private readonly CountingStore _store = new();

    [Fact]
    public void A_thousand_addresses_over_ten_hosts_cost_claims_in_proportion_to_the_hosts()
    {
        var hosts = Enumerable.Range(0, Hosts).Select(i => Host($"host-{i}", "10.9.0.0/22")).ToList();
        var given = new List<IPAddress>();
        for (int k = 0; k < Endpoints; k++) given.Add(hosts[k % Hosts].Allocate("net1", 4).Address);

        Assert.Equal(Endpoints, given.Distinct().Count());
        // One successful claim per address, and at most one failed one per address held by each other host.
        Assert.InRange(_store.Puts, Endpoints, Endpoints * Hosts);
    }

    [Fact]
    public void Hosts_that_learn_each_others_addresses_from_the_endpoint_records_make_no_failed_claims()
    {
        var hosts = Enumerable.Range(0, Hosts).Select(i => Host($"host-{i}", "10.9.0.0/22")).ToList();
        var given = new List<IPAddress>();
        for (int k = 0; k < Endpoints; k++)
        {
            var owner = k % Hosts;
            var address = hosts[owner].Allocate("net1", 4).Address;
            given.Add(address);
            // What each other host does when the endpoint's record reaches it through the watch.
            for (int h = 0; h < Hosts; h++)
                if (h != owner) hosts[h].NoteHeldElsewhere("net1", address);
        }
        Assert.Equal(Endpoints, given.Distinct().Count());
        Assert.Equal(Endpoints, _store.Puts);

        // The endpoint left (its record deleted, its claim released): every host may take the address again.
        hosts[0].Release("net1", given[0]);
        for (int h = 1; h < Hosts; h++) hosts[h].ForgetHeldElsewhere("net1", given[0]);
        Assert.Equal(given[0], hosts[1].Allocate("net1", 4, given[0]).Address);
        // An address this host holds itself is never noted as another's.
        hosts[1].NoteHeldElsewhere("net1", given[0]);
        Assert.Throws<PlexusException>(() => hosts[1].Allocate("net1", 4, given[0]));
    }

    [Fact]
    public void Addresses_released_by_another_host_are_found_again_once_the_pool_looks_full()
    {
        var a = Host("host-a", "10.9.0.0/24");
        var b = Host("host-b", "10.9.0.0/24");
        // 10.9.0.0/24 without .0, .1 (gateway) and .255: 253 endpoint addresses, all taken by a.
        var held = Enumerable.Range(0, 253).Select(_ => a.Allocate("net1", 4).Address).ToList();
        var full = Assert.Throws<PlexusException>(() => b.Allocate("net1", 4)); // b meets a's addresses and remembers them
        Assert.Equal(ErrorKind.Conflict, full.Kind);
        foreach (var address in held.Take(3)) a.Release("net1", address);
        var again = Enumerable.Range(0, 3).Select(_ => b.Allocate("net1", 4).Address).ToHashSet();
        Assert.Equal(held.Take(3).ToHashSet(), again);
    }

    private GlobalIpam Host(string id, string subnet)
    {
        var ipam = new GlobalIpam(IpamService.Create());
        ipam.Attach(_store, id);
        ipam.RestoreNetwork("net1", "ov", [new SubnetState { Subnet = IPNetwork.Parse(subnet), Gateway = IPAddress.Parse("10.9.0.1"), UserDefined = true }],
            new Dictionary<string, string>(), [], scope: DataScope.Global);
        return ipam;
    }

    public void Dispose() => _store.Dispose();

    /// <summary>The in-memory store, counting the writes (compare-and-swap puts) made to it.</summary>
    private sealed class CountingStore : IGlobalStore
    {
        private readonly InMemoryGlobalStore _inner = new();

        public int Puts { get; private set; }

        public long Revision => _inner.Revision;

        public KeyValue? Get(string key) => _inner.Get(key);

        public StoreRange List(string prefix) => _inner.List(prefix);

        public CasResult Put(string key, string value, long expectedRevision = StoreRevisions.Any)
        {
            Puts++;
            return _inner.Put(key, value, expectedRevision);
        }

        public CasResult Delete(string key, long expectedRevision = StoreRevisions.Any) => _inner.Delete(key, expectedRevision);

        public IAsyncEnumerable<WatchEvent> Watch(string prefix, long afterRevision, CancellationToken cancellation = default) =>
            _inner.Watch(prefix, afterRevision, cancellation);

        public void Compact(long revision) => _inner.Compact(revision);

        public void Dispose() => _inner.Dispose();
    }
}
