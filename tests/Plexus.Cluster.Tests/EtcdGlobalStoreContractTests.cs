using Plexus.Cluster.Etcd;
using Plexus.Engine.Store;
using Plexus.Engine.Tests.Store;

namespace Plexus.Cluster.Tests;

/// <summary>The global store's contract (the same tests the in-memory store passes), against a real etcd.</summary>
[Trait("Category", "Privileged")]
public sealed class EtcdGlobalStoreContractTests(EtcdFixture etcd) : GlobalStoreContract, IClassFixture<EtcdFixture>
{
    private readonly Lazy<EtcdGlobalStore> _store = new(() => etcd.NewStore());
    private readonly Lazy<EtcdGlobalStore> _other = new(() => etcd.NewStore());

    protected override IGlobalStore Store => _store.Value;

    protected override IGlobalStore OtherClient => _other.Value;

    // Each write is a raft commit written to disk: a few hundred, not thousands.
    protected override (int Writers, int Each) Load => (4, 25);

    public override void Dispose()
    {
        if (_store.IsValueCreated) _store.Value.Dispose();
        if (_other.IsValueCreated) _other.Value.Dispose();
        base.Dispose();
    }
}
