using Plexus.Engine.Store;

namespace Plexus.Engine.Tests.Store;

/// <summary>The global store's contract (etcd's), run against the in-memory store.</summary>
public sealed class InMemoryGlobalStoreTests : GlobalStoreContract
{
    private readonly InMemoryGlobalStore _store = new();

    protected override IGlobalStore Store => _store;

    protected override IGlobalStore OtherClient => _store; // one process: every client shares the object

    public override void Dispose()
    {
        _store.Dispose();
        base.Dispose();
    }

    [Fact]
    public void An_empty_store_is_at_revision_zero_and_counts_from_one()
    {
        using var store = new InMemoryGlobalStore();
        Assert.Equal(0, store.Revision);
        Assert.Equal(1, store.Put("/a", "1").Revision);
    }

    [Fact]
    public void Watching_from_a_compacted_revision_fails_at_the_call()
    {
        for (int i = 0; i < 5; i++) _store.Put("/k", "v");
        _store.Compact(3);
        var error = Assert.Throws<RevisionCompactedException>(() => _store.Watch("/", 2));
        Assert.Equal(3, error.CompactRevision);
        _store.Watch("/", 3);
    }
}
