using System.Net;
using Plexus.Cluster.Membership;
using Plexus.Engine.Cluster;
using Plexus.Engine.Store;
using Plexus.Testing;

namespace Plexus.Cluster.Tests;

/// <summary>
/// A host's owned records (its endpoint records) are its intent, whatever the store says at the moment: one put before
/// the host registered is written when it registers.
/// </summary>
[Trait("Category", "Privileged")]
public sealed class OwnedRecordTests(EtcdFixture etcd) : IClassFixture<EtcdFixture>
{
    [PrivilegedFact]
    public async Task A_record_put_before_the_host_registered_is_written_when_it_registers()
    {
        using var store = etcd.NewStore($"/plexus-{Guid.NewGuid():N}");
        using var membership = new EtcdClusterMembership(store, new ClusterHost("host-a", "10.0.0.1", IPAddress.Parse("10.0.0.1")), TimeSpan.FromSeconds(5));

        var early = Assert.Throws<GlobalStoreUnavailableException>(() => membership.PutOwned("/endpoints/early", "{}"));
        Assert.Contains("not registered", early.Message, StringComparison.Ordinal);
        Assert.Null(store.Get("/endpoints/early"));

        membership.Start();
        await membership.WaitRegisteredAsync(Eventually.Patience);
        Eventually.True(() => store.Get("/endpoints/early") is not null, "the early record is in etcd once the host registered");
    }
}
