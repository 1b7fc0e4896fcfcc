using System.Collections.Concurrent;
using System.Net;
using Plexus.Cluster.Etcd;
using Plexus.Cluster.Membership;
using Plexus.Engine.Cluster;
using Plexus.Testing;

namespace Plexus.Cluster.Tests;

/// <summary>Hosts register under leases, see each other come and go, and re-register when their lease is lost.</summary>
[Trait("Category", "Privileged")]
public sealed class MembershipTests(EtcdFixture etcd) : IClassFixture<EtcdFixture>, IDisposable
{
    private static readonly TimeSpan ShortLease = TimeSpan.FromSeconds(2);
    private readonly string _prefix = $"/plexus-{Guid.NewGuid():N}";
    private readonly List<IDisposable> _owned = [];

    public void Dispose()
    {
        for (int i = _owned.Count - 1; i >= 0; i--) _owned[i].Dispose();
    }

    private (EtcdGlobalStore Store, EtcdClusterMembership Membership) Host(string id, string ip)
    {
        var store = etcd.NewStore(_prefix);
        var membership = new EtcdClusterMembership(store, new ClusterHost(id, ip + ":2376", IPAddress.Parse(ip)), ShortLease);
        _owned.Add(store);
        _owned.Add(membership);
        membership.Start();
        return (store, membership);
    }

    [PrivilegedFact]
    public void Two_hosts_see_each_other_and_one_whose_lease_expires_leaves_with_its_records()
    {
        var (storeA, a) = Host("host-a", "10.0.0.1");
        var (storeB, b) = Host("host-b", "10.0.0.2");
        var seenByA = new ConcurrentQueue<ClusterChange>();
        a.Changed += (_, change) => seenByA.Enqueue(change);

        Eventually.True(() => a.Members.Count == 2 && b.Members.Count == 2, "both hosts see both");
        Assert.Contains(new ClusterHost("host-b", "10.0.0.2:2376", IPAddress.Parse("10.0.0.2")), a.Members);
        b.PutOwned("/endpoints/b1", "{\"ip\":\"10.10.0.2\"}");
        Assert.NotNull(storeA.Get("/endpoints/b1"));

        // host-b dies: nothing renews its lease any more, nothing revokes it.
        b.Dispose();
        storeB.Dispose();
        Eventually.True(() => a.Members.Count == 1, "host-a sees host-b leave when its lease expires");
        Assert.Equal("host-a", Assert.Single(a.Members).Id);
        Assert.Contains(seenByA, c => c.Kind == ClusterChangeKind.Left && c.Host.Id == "host-b");
        Assert.Null(storeA.Get("/hosts/host-b"));
        Assert.Null(storeA.Get("/endpoints/b1")); // its records went with its lease
        Assert.True(a.IsRegistered);
    }

    [PrivilegedFact]
    public void A_host_that_leaves_is_gone_at_once()
    {
        var (storeA, a) = Host("host-a", "10.0.0.1");
        var (_, b) = Host("host-b", "10.0.0.2");
        Eventually.True(() => a.Members.Count == 2, "host-a sees host-b");

        b.Leave();
        Assert.Null(storeA.Get("/hosts/host-b")); // revoked, not waiting for expiry
        Eventually.True(() => a.Members.Count == 1, "host-a sees host-b leave");
    }

    [PrivilegedFact]
    public void A_host_whose_lease_was_lost_registers_again_with_its_owned_records()
    {
        var (store, a) = Host("host-a", "10.0.0.1");
        Eventually.True(() => a.IsRegistered, "host-a registers");
        a.PutOwned("/endpoints/a1", "{}");
        long lease = a.Lease;

        store.RevokeLease(lease); // as if it had expired while etcd could not be reached

        Eventually.True(() => a.Lease != lease && a.IsRegistered, "host-a registers under a new lease");
        Eventually.True(() => store.Get("/hosts/host-a") is not null && store.Get("/endpoints/a1") is not null, "its records are back");
        Assert.Contains(a.Members, h => h.Id == "host-a");
    }

    [PrivilegedFact]
    public void A_deleted_host_record_is_written_again()
    {
        var (store, a) = Host("host-a", "10.0.0.1");
        Eventually.True(() => a.IsRegistered && a.Members.Count == 1, "host-a registers and sees itself");

        store.Delete("/hosts/host-a");

        Eventually.True(() => store.Get("/hosts/host-a") is not null, "host-a writes its record again");
    }
}
