using System.Globalization;
using Plexus.Engine.Store;
#if ETCD_CONTRACT
// Against etcd, the tests run only inside a private network namespace (etcd runs there), as every privileged test.
using StoreFact = Plexus.Testing.PrivilegedFactAttribute;
#else
using StoreFact = Xunit.FactAttribute;
#endif

namespace Plexus.Engine.Tests.Store;

/// <summary>
/// What every <see cref="IGlobalStore"/> promises (etcd's semantics), written once and run against each
/// store: the in-memory one here, etcd in Plexus.Cluster.Tests (which compiles this file in). Revisions are
/// compared with each other, never with absolute numbers: etcd's start at 1 and are shared by every key.
/// Each test works under a key prefix of its own, so stores that outlive a test (etcd) start clean.
/// </summary>
public abstract class GlobalStoreContract : IDisposable
{
    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    /// <summary>This test's own key space.</summary>
    protected string Root { get; } = $"/contract-{Guid.NewGuid():N}";

    /// <summary>The store under test.</summary>
    protected abstract IGlobalStore Store { get; }

    /// <summary>A second client of the same store (another host's connection), for races between clients.</summary>
    protected abstract IGlobalStore OtherClient { get; }

    /// <summary>Writers and writes per writer in the concurrency tests (fewer for a store that commits to disk through consensus).</summary>
    protected virtual (int Writers, int Each) Load => (8, 500);

    public virtual void Dispose() => GC.SuppressFinalize(this);

    [StoreFact]
    public void Every_change_raises_the_revision_and_entries_carry_theirs()
    {
        var a = Store.Put($"{Root}/net/a", "1");
        var b = Store.Put($"{Root}/net/b", "2");
        var a2 = Store.Put($"{Root}/net/a", "3");

        Assert.Equal((a.Revision + 1, a.Revision + 2), (b.Revision, a2.Revision));
        Assert.Equal(new KeyValue($"{Root}/net/a", "3", CreateRevision: a.Revision, ModRevision: a2.Revision, Version: 2), Store.Get($"{Root}/net/a"));
        Assert.Equal(a2.Current, Store.Get($"{Root}/net/a"));
        var list = Store.List($"{Root}/net/");
        Assert.Equal([$"{Root}/net/a", $"{Root}/net/b"], list.Entries.Select(e => e.Key));
        Assert.Equal(a2.Revision, list.Revision);
        Assert.Equal(a2.Revision, Store.Revision);
        Assert.Empty(Store.List($"{Root}/vni/").Entries);
        Assert.Null(Store.Get($"{Root}/net/c"));
    }

    [StoreFact]
    public void Create_only_put_succeeds_once()
    {
        var first = Store.Put($"{Root}/ip/10.0.0.2", "host-a", StoreRevisions.Absent);
        Assert.True(first.Succeeded);
        var second = Store.Put($"{Root}/ip/10.0.0.2", "host-b", StoreRevisions.Absent);

        Assert.False(second.Succeeded);
        Assert.Equal("host-a", second.Current!.Value);
        Assert.Equal(first.Revision, Store.Revision); // a failed comparison changes nothing
    }

    [StoreFact]
    public void A_put_or_delete_with_a_stale_revision_fails_and_reports_the_current_entry()
    {
        var key = $"{Root}/pool";
        var first = Store.Put(key, "v1").Current!;
        var newer = Store.Put(key, "v2", first.ModRevision).Current!;

        var stale = Store.Put(key, "v3", first.ModRevision);
        Assert.False(stale.Succeeded);
        Assert.Equal(newer, stale.Current);
        Assert.False(Store.Delete(key, first.ModRevision).Succeeded);
        Assert.Equal("v2", Store.Get(key)!.Value);

        var deleted = Store.Delete(key, newer.ModRevision);
        Assert.True(deleted.Succeeded);
        Assert.Null(deleted.Current);
        Assert.Null(Store.Get(key));
        Assert.False(Store.Delete(key, newer.ModRevision).Succeeded);
        Assert.True(Store.Delete(key).Succeeded); // deleting what is not there, unconditionally, changes nothing and is no error
    }

    [StoreFact]
    public void Two_clients_racing_to_create_the_same_keys_win_each_exactly_once()
    {
        const int Keys = 20;
        var wins = new int[2];
        using var start = new Barrier(2);
        var clients = new[] { Store, OtherClient };
        var threads = Enumerable.Range(0, 2).Select(c => new Thread(() =>
        {
            start.SignalAndWait();
            for (int k = 0; k < Keys; k++)
                if (clients[c].Put($"{Root}/vni/{k}", $"client-{c}", StoreRevisions.Absent).Succeeded) Interlocked.Increment(ref wins[c]);
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        Assert.Equal(Keys, wins[0] + wins[1]);
        var owners = Store.List($"{Root}/vni/").Entries;
        Assert.Equal(Keys, owners.Count);
        Assert.All(owners, e => Assert.Equal(1, e.Version)); // nobody overwrote a winner
    }

    [StoreFact]
    public void Concurrent_compare_and_swap_loses_no_update()
    {
        var (workers, increments) = Load;
        var key = $"{Root}/counter";
        Store.Put(key, "0");
        var threads = Enumerable.Range(0, workers).Select(w => new Thread(() =>
        {
            var client = w % 2 == 0 ? Store : OtherClient;
            for (int i = 0; i < increments; i++)
            {
                while (true)
                {
                    var seen = client.Get(key)!;
                    var next = (int.Parse(seen.Value, CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture);
                    if (client.Put(key, next, seen.ModRevision).Succeeded) break;
                }
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        var counter = Store.Get(key)!;
        Assert.Equal((workers * increments).ToString(CultureInfo.InvariantCulture), counter.Value);
        Assert.Equal(workers * increments + 1, counter.Version);
    }

    [StoreFact]
    public async Task A_watch_replays_history_after_its_revision_then_follows_live_changes_under_its_prefix()
    {
        Store.Put($"{Root}/net/a", "1");
        var listed = Store.Put($"{Root}/net/b", "2");
        var a3 = Store.Put($"{Root}/net/a", "3");
        Store.Put($"{Root}/other/x", "ignored");

        using var cancel = new CancellationTokenSource(Patience);
        var events = Store.Watch($"{Root}/net/", listed.Revision, cancel.Token).GetAsyncEnumerator(cancel.Token);
        var deleted = Store.Delete($"{Root}/net/b");
        var c = Store.Put($"{Root}/net/c", "4");

        var seen = new List<WatchEvent>();
        for (int i = 0; i < 3; i++)
        {
            Assert.True(await events.MoveNextAsync());
            seen.Add(events.Current);
        }
        await events.DisposeAsync();

        Assert.Equal([(a3.Revision, WatchEventKind.Put, $"{Root}/net/a"), (deleted.Revision, WatchEventKind.Delete, $"{Root}/net/b"), (c.Revision, WatchEventKind.Put, $"{Root}/net/c")],
            seen.Select(e => (e.Revision, e.Kind, e.Entry.Key)));
        Assert.Equal("2", seen[1].Entry.Value); // a delete reports the entry as it was
        Assert.Equal(c.Current, seen[2].Entry);
    }

    [StoreFact]
    public async Task A_watch_sees_each_change_once_and_in_order_while_writers_race()
    {
        var (writers, each) = Load;
        writers = Math.Min(writers, 4);
        long from = Store.Revision;
        using var cancel = new CancellationTokenSource(Patience);
        var events = Store.Watch($"{Root}/k/", from, cancel.Token).GetAsyncEnumerator(cancel.Token);
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(() =>
        {
            for (int i = 0; i < each; i++) (w % 2 == 0 ? Store : OtherClient).Put($"{Root}/k/{w}/{i}", "x");
        }, cancel.Token)));

        long last = from;
        var keys = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < writers * each; i++)
        {
            Assert.True(await events.MoveNextAsync());
            Assert.True(events.Current.Revision > last); // in order
            Assert.True(keys.Add(events.Current.Entry.Key)); // none twice
            last = events.Current.Revision;
        }
        await events.DisposeAsync();
        Assert.Equal(writers * each, keys.Count); // none skipped
    }

    [StoreFact]
    public async Task Watching_from_a_compacted_revision_says_to_list_again()
    {
        var revisions = Enumerable.Range(0, 5).Select(i => Store.Put($"{Root}/k", i.ToString(CultureInfo.InvariantCulture)).Revision).ToList();
        Store.Compact(revisions[3]);
        Store.Compact(revisions[2]); // already forgotten: nothing to do

        var error = await Assert.ThrowsAsync<RevisionCompactedException>(async () =>
        {
            await foreach (var _ in Store.Watch($"{Root}/", revisions[0])) { }
        });
        Assert.InRange(error.CompactRevision, revisions[2], revisions[3]);
        Assert.Contains("list again", error.Message, StringComparison.Ordinal);

        // From the compaction point on, history is whole.
        using var cancel = new CancellationTokenSource(Patience);
        var events = Store.Watch($"{Root}/", revisions[3], cancel.Token).GetAsyncEnumerator(cancel.Token);
        Assert.True(await events.MoveNextAsync());
        Assert.Equal((revisions[4], "4"), (events.Current.Revision, events.Current.Entry.Value));
        await events.DisposeAsync();
    }

    [StoreFact]
    public async Task Disposing_the_store_ends_its_watches()
    {
        using var cancel = new CancellationTokenSource(Patience);
        var events = Store.Watch($"{Root}/", Store.Revision, cancel.Token).GetAsyncEnumerator(cancel.Token);
        var next = events.MoveNextAsync();
        Store.Dispose();
        Assert.False(await next);
        Assert.Throws<ObjectDisposedException>(() => Store.Put($"{Root}/k", "v"));
    }
}
