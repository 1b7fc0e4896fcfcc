using Plexus.Engine.Store;

namespace Plexus.Engine.Tests.Store;

/// <summary>The global store's contract (etcd's): revisions, compare-and-swap, watch, compaction.</summary>
public sealed class InMemoryGlobalStoreTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly InMemoryGlobalStore _store = new();

    public void Dispose() => _store.Dispose();

    [Fact]
    public void Every_change_raises_the_revision_and_entries_carry_theirs()
    {
        Assert.Equal(0, _store.Revision);
        var a = _store.Put("/net/a", "1");
        var b = _store.Put("/net/b", "2");
        var a2 = _store.Put("/net/a", "3");

        Assert.Equal((1L, 2L, 3L), (a.Revision, b.Revision, a2.Revision));
        Assert.Equal(new KeyValue("/net/a", "3", CreateRevision: 1, ModRevision: 3, Version: 2), _store.Get("/net/a"));
        var list = _store.List("/net/");
        Assert.Equal(["/net/a", "/net/b"], list.Entries.Select(e => e.Key));
        Assert.Equal(3, list.Revision);
        Assert.Empty(_store.List("/vni/").Entries);
    }

    [Fact]
    public void Create_only_put_succeeds_once()
    {
        Assert.True(_store.Put("/ip/10.0.0.2", "host-a", StoreRevisions.Absent).Succeeded);
        var second = _store.Put("/ip/10.0.0.2", "host-b", StoreRevisions.Absent);

        Assert.False(second.Succeeded);
        Assert.Equal("host-a", second.Current!.Value);
        Assert.Equal(1, _store.Revision); // a failed comparison changes nothing
    }

    [Fact]
    public void A_put_or_delete_with_a_stale_revision_fails_and_reports_the_current_entry()
    {
        var first = _store.Put("/pool", "v1").Current!;
        var newer = _store.Put("/pool", "v2", first.ModRevision).Current!;

        var stale = _store.Put("/pool", "v3", first.ModRevision);
        Assert.False(stale.Succeeded);
        Assert.Equal(newer, stale.Current);
        Assert.False(_store.Delete("/pool", first.ModRevision).Succeeded);
        Assert.Equal("v2", _store.Get("/pool")!.Value);

        Assert.True(_store.Delete("/pool", newer.ModRevision).Succeeded);
        Assert.Null(_store.Get("/pool"));
        Assert.False(_store.Delete("/pool", newer.ModRevision).Succeeded);
    }

    [Fact]
    public void Concurrent_compare_and_swap_loses_no_update()
    {
        const int Workers = 8, Increments = 500;
        _store.Put("/counter", "0");
        var threads = Enumerable.Range(0, Workers).Select(_ => new Thread(() =>
        {
            for (int i = 0; i < Increments; i++)
            {
                while (true)
                {
                    var seen = _store.Get("/counter")!;
                    if (_store.Put("/counter", (int.Parse(seen.Value, System.Globalization.CultureInfo.InvariantCulture) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), seen.ModRevision).Succeeded)
                        break;
                }
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        var counter = _store.Get("/counter")!;
        Assert.Equal((Workers * Increments).ToString(System.Globalization.CultureInfo.InvariantCulture), counter.Value);
        Assert.Equal(Workers * Increments + 1, counter.Version);
    }

    [Fact]
    public async Task A_watch_replays_history_after_its_revision_then_follows_live_changes_under_its_prefix()
    {
        _store.Put("/net/a", "1");                // 1
        var listed = _store.Put("/net/b", "2");   // 2
        _store.Put("/net/a", "3");                // 3
        _store.Put("/other/x", "ignored");        // 4

        using var cancel = new CancellationTokenSource(Patience);
        var events = _store.Watch("/net/", listed.Revision, cancel.Token).GetAsyncEnumerator(cancel.Token);
        _store.Delete("/net/b");                  // 5
        _store.Put("/net/c", "4");                // 6

        var seen = new List<WatchEvent>();
        for (int i = 0; i < 3; i++)
        {
            Assert.True(await events.MoveNextAsync());
            seen.Add(events.Current);
        }
        await events.DisposeAsync();

        Assert.Equal([(3L, WatchEventKind.Put, "/net/a"), (5L, WatchEventKind.Delete, "/net/b"), (6L, WatchEventKind.Put, "/net/c")],
            seen.Select(e => (e.Revision, e.Kind, e.Entry.Key)));
        Assert.Equal("2", seen[1].Entry.Value); // a delete reports the entry as it was
    }

    [Fact]
    public async Task A_watch_sees_each_change_once_while_writers_race()
    {
        using var cancel = new CancellationTokenSource(Patience);
        var events = _store.Watch("/k/", 0, cancel.Token).GetAsyncEnumerator(cancel.Token);
        const int Writers = 4, Each = 250;
        await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(() =>
        {
            for (int i = 0; i < Each; i++) _store.Put($"/k/{w}/{i}", "x");
        }, cancel.Token)));

        long last = 0;
        for (int i = 0; i < Writers * Each; i++)
        {
            Assert.True(await events.MoveNextAsync());
            Assert.Equal(last + 1, events.Current.Revision); // in order, none skipped, none twice
            last = events.Current.Revision;
        }
        await events.DisposeAsync();
    }

    [Fact]
    public void Watching_from_a_compacted_revision_says_to_list_again()
    {
        for (int i = 0; i < 5; i++) _store.Put("/k", i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        _store.Compact(3);

        var error = Assert.Throws<RevisionCompactedException>(() => _store.Watch("/", 2));
        Assert.Equal(3, error.CompactRevision);
        Assert.Contains("list again", error.Message, StringComparison.Ordinal);
        _store.Watch("/", 3); // from the compaction point on, history is whole
    }

    [Fact]
    public async Task Disposing_the_store_ends_its_watches()
    {
        using var cancel = new CancellationTokenSource(Patience);
        var events = _store.Watch("/", 0, cancel.Token).GetAsyncEnumerator(cancel.Token);
        var next = events.MoveNextAsync();
        _store.Dispose();
        Assert.False(await next);
        Assert.Throws<ObjectDisposedException>(() => _store.Put("/k", "v"));
    }
}
