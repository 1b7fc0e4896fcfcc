using System.Diagnostics;
using Plexus.Engine.Model;
using Plexus.Engine.Store;
using Xunit.Abstractions;

namespace Plexus.Engine.Tests.Store;

public sealed class SqliteStoreCommitTests(ITestOutputHelper output)
{
    [Fact]
    public void A_batch_with_a_failing_operation_applies_nothing()
    {
        using var dir = new TempDirectory();
        using var store = new SqliteStore(dir.DataRoot);
        var web = Samples.Network("web");
        store.Commit(new StoreBatch().Put(web));

        var db = Samples.Network("db");
        var sandbox = Samples.Sandbox("s1");
        var batch = new StoreBatch()
            .Put(db)
            .Put(sandbox)
            .Put(web with { Labels = new Dictionary<string, string> { ["changed"] = "yes" } })
            .Put(Samples.Network("web")) // another id with a taken name: fails here
            .DeleteNetwork(db.Id);
        Assert.Throws<PlexusException>(() => store.Commit(batch));

        var snapshot = store.Load();
        var only = Assert.Single(snapshot.Networks);
        Deep.Equal(web, only);
        Assert.Empty(snapshot.Sandboxes);

        // The store is still usable, and the failed batch left no transaction behind.
        store.Commit(new StoreBatch().Put(db));
        Assert.Equal(2, store.Load().Networks.Count);
        Assert.Equal(2, new SqliteStore(dir.DataRoot).Using(s => s.Load().Networks.Count));
    }

    [Fact]
    public async Task Concurrent_commits_share_transactions_and_a_failing_batch_fails_alone()
    {
        using var dir = new TempDirectory();
        using var store = new SqliteStore(dir.DataRoot);
        var web = Samples.Network("web");
        store.Commit(new StoreBatch().Put(web));
        // Sixteen writers at once: whatever groups the store forms, each batch is all or nothing, and only the
        // ones that reuse a taken name (every fourth) fail, with the conflict named.
        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(() =>
        {
            var batch = new StoreBatch().Put(Samples.Sandbox($"s{i}"));
            if (i % 4 == 3) batch.Put(Samples.Network("web")); // another id, a taken name
            try
            {
                store.Commit(batch);
                return (i, (PlexusException?)null);
            }
            catch (PlexusException e)
            {
                return (i, e);
            }
        })));
        foreach (var (i, error) in results)
        {
            if (i % 4 == 3)
            {
                Assert.NotNull(error);
                Assert.Equal(ErrorKind.Conflict, error.Kind);
                Assert.Contains("a network named 'web' already exists", error.Message, StringComparison.Ordinal);
            }
            else
            {
                Assert.Null(error);
            }
        }
        var snapshot = store.Load();
        Assert.Equal(Enumerable.Range(0, 16).Where(i => i % 4 != 3).Select(i => $"s{i}").Order(), snapshot.Sandboxes.Select(s => s.Name).Order());
        Assert.Single(snapshot.Networks);
        // A dangling reference found at commit fails only the batch that made it, even in a group.
        var orphans = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Task.Run(() =>
        {
            var batch = i == 2 ? new StoreBatch().Put(Samples.Endpoint("no-such-network", null, "e")) : new StoreBatch().Put(Samples.Sandbox($"t{i}"));
            try
            {
                store.Commit(batch);
                return true;
            }
            catch (PlexusException e) when (e.Kind == ErrorKind.Conflict)
            {
                return false;
            }
        })));
        Assert.Equal([true, true, false, true], orphans);
        Assert.Equal(15, store.Load().Sandboxes.Count);
    }

    [Fact]
    public async Task Batches_that_wait_for_a_writer_go_in_one_transaction()
    {
        using var dir = new TempDirectory();
        using var store = new SqliteStore(dir.DataRoot);
        store.Commit(new StoreBatch().Put(Samples.Network("web")));
        // Another connection holds the write lock, so the first commit waits inside the store and the others queue.
        using var other = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(dir.DataRoot, SqliteStore.FileName)};Pooling=False");
        other.Open();
        using (var begin = other.CreateCommand())
        {
            begin.CommandText = "BEGIN IMMEDIATE";
            begin.ExecuteNonQuery();
        }
        // Writers on threads of their own: on the thread pool, each blocked writer holds a pool thread and the pool
        // adds threads slowly, so under load the later writers could start only after the lock was free, one by one.
        var first = Writer("first");
        await Task.Delay(200);
        var rest = Enumerable.Range(0, 5).Select(i => Writer($"s{i}")).ToArray();
        // Release the lock only once five writers wait behind the one writing (blocked on the store's gate; the
        // writer itself waits in SQLite's busy handler, in native code), so that they queue.
        var deadline = Stopwatch.StartNew();
        while (rest.Prepend(first).Count(w => (w.Thread.ThreadState & System.Threading.ThreadState.WaitSleepJoin) != 0) < 5 && deadline.Elapsed < TimeSpan.FromSeconds(30))
            await Task.Delay(20);
        output.WriteLine($"writers queued after {deadline.ElapsedMilliseconds} ms");
        using (var commit = other.CreateCommand())
        {
            commit.CommandText = "COMMIT";
            commit.ExecuteNonQuery();
        }
        await Task.WhenAll([first.Done.Task, .. rest.Select(w => w.Done.Task)]).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(6, store.Load().Sandboxes.Count);
        Assert.True(store.LargestGroup > 1, $"largest group {store.LargestGroup}");

        (Thread Thread, TaskCompletionSource Done) Writer(string name)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var thread = new Thread(() =>
            {
                try
                {
                    store.Commit(new StoreBatch().Put(Samples.Sandbox(name)));
                    done.SetResult();
                }
                catch (Exception e)
                {
                    done.SetException(e);
                }
            }) { IsBackground = true, Name = "writer " + name };
            thread.Start();
            return (thread, done);
        }
    }

    [Fact]
    public void Operations_apply_in_order()
    {
        using var dir = new TempDirectory();
        using var store = new SqliteStore(dir.DataRoot);
        var a = Samples.MinimalNetwork("a");
        var b = Samples.MinimalNetwork("b");

        store.Commit(new StoreBatch().Put(a).DeleteNetwork(a.Id).DeleteNetwork(b.Id).Put(b));
        Assert.Equal([b.Id], store.Load().Networks.Select(n => n.Id));

        // Last put wins.
        store.Commit(new StoreBatch().Put(b with { Driver = "first" }).Put(b with { Driver = "second" }));
        Assert.Equal("second", Assert.Single(store.Load().Networks).Driver);

        // A name freed earlier in the batch can be taken later in it.
        var c = Samples.MinimalNetwork("b");
        store.Commit(new StoreBatch().DeleteNetwork(b.Id).Put(c));
        Assert.Equal([c.Id], store.Load().Networks.Select(n => n.Id));
    }

    [Fact]
    public void Delete_removes_each_kind_of_record_and_ignores_unknown_ids()
    {
        using var dir = new TempDirectory();
        using var store = new SqliteStore(dir.DataRoot);
        var network = Samples.Network();
        var keep = Samples.Network("keep");
        var sandbox = Samples.Sandbox();
        var endpoint = Samples.Endpoint(network.Id, sandbox.Id);
        store.Commit(new StoreBatch().Put(network).Put(keep).Put(sandbox).Put(endpoint));

        store.Commit(new StoreBatch().DeleteEndpoint(endpoint.Id));
        Assert.Empty(store.Load().Endpoints);
        store.Commit(new StoreBatch().DeleteSandbox(sandbox.Id));
        Assert.Empty(store.Load().Sandboxes);
        store.Commit(new StoreBatch().DeleteNetwork(network.Id));
        Assert.Equal([keep.Id], store.Load().Networks.Select(n => n.Id));

        store.Commit(new StoreBatch().DeleteNetwork(Ids.New()).DeleteEndpoint(endpoint.Id).DeleteSandbox("nope"));
        Assert.Equal([keep.Id], store.Load().Networks.Select(n => n.Id));

        using var reopened = new SqliteStore(dir.DataRoot);
        var snapshot = reopened.Load();
        Assert.Equal([keep.Id], snapshot.Networks.Select(n => n.Id));
        Assert.Empty(snapshot.Endpoints);
        Assert.Empty(snapshot.Sandboxes);
    }

    [Fact]
    public void A_taken_network_name_is_a_conflict_that_says_so()
    {
        using var dir = new TempDirectory();
        using var store = new SqliteStore(dir.DataRoot);
        store.Commit(new StoreBatch().Put(Samples.Network("web")));

        var ex = Assert.Throws<PlexusException>(() => store.Commit(new StoreBatch().Put(Samples.Network("web"))));
        Assert.Equal(ErrorKind.Conflict, ex.Kind);
        Assert.Equal("a network named 'web' already exists in the store", ex.Message);
    }

    [Fact]
    public void Renaming_a_network_onto_a_taken_name_is_a_conflict()
    {
        using var dir = new TempDirectory();
        using var store = new SqliteStore(dir.DataRoot);
        var a = Samples.Network("a");
        store.Commit(new StoreBatch().Put(a).Put(Samples.Network("b")));

        var ex = Assert.Throws<PlexusException>(() => store.Commit(new StoreBatch().Put(a with { Name = "b" })));
        Assert.Equal(ErrorKind.Conflict, ex.Kind);
        Assert.Equal("a network named 'b' already exists in the store", ex.Message);
        Assert.Equal("a", store.Load().Networks.Single(n => n.Id == a.Id).Name);
    }

    [Fact]
    public void A_taken_sandbox_name_is_a_conflict_that_says_so()
    {
        using var dir = new TempDirectory();
        using var store = new SqliteStore(dir.DataRoot);
        store.Commit(new StoreBatch().Put(Samples.Sandbox("c1")));

        var ex = Assert.Throws<PlexusException>(() => store.Commit(new StoreBatch().Put(Samples.Sandbox("c1"))));
        Assert.Equal(ErrorKind.Conflict, ex.Kind);
        Assert.Equal("a sandbox named 'c1' already exists in the store", ex.Message);
    }

    [Fact]
    public void Endpoint_names_are_unique_per_network_only()
    {
        using var dir = new TempDirectory();
        using var store = new SqliteStore(dir.DataRoot);
        var n1 = Samples.MinimalNetwork("n1");
        var n2 = Samples.MinimalNetwork("n2");
        store.Commit(new StoreBatch().Put(n1).Put(n2)
            .Put(Samples.MinimalEndpoint(n1.Id, "c1")).Put(Samples.MinimalEndpoint(n2.Id, "c1")));
        Assert.Equal(2, store.Load().Endpoints.Count);

        var ex = Assert.Throws<PlexusException>(() => store.Commit(new StoreBatch().Put(Samples.MinimalEndpoint(n1.Id, "c1"))));
        Assert.Equal(ErrorKind.Conflict, ex.Kind);
        Assert.Equal($"an endpoint named 'c1' already exists in network '{n1.Id}'", ex.Message);
    }

    [Fact]
    public void An_endpoint_on_a_network_the_store_does_not_hold_is_refused()
    {
        using var dir = new TempDirectory();
        using var store = new SqliteStore(dir.DataRoot);
        var missing = Ids.New();
        var endpoint = Samples.MinimalEndpoint(missing, "c1");

        var ex = Assert.Throws<PlexusException>(() => store.Commit(new StoreBatch().Put(Samples.MinimalNetwork("other")).Put(endpoint)));
        Assert.Equal(ErrorKind.Conflict, ex.Kind);
        Assert.Equal($"endpoint 'c1' ({endpoint.Id}) refers to network '{missing}', which is not in the store", ex.Message);
        var snapshot = store.Load();
        Assert.Empty(snapshot.Networks);
        Assert.Empty(snapshot.Endpoints);
    }

    [Fact]
    public void An_endpoint_joined_to_a_sandbox_the_store_does_not_hold_is_refused()
    {
        using var dir = new TempDirectory();
        using var store = new SqliteStore(dir.DataRoot);
        var network = Samples.MinimalNetwork("n");
        var missing = Ids.New();
        var endpoint = Samples.MinimalEndpoint(network.Id, "c1") with { SandboxId = missing };

        var ex = Assert.Throws<PlexusException>(() => store.Commit(new StoreBatch().Put(network).Put(endpoint)));
        Assert.Equal(ErrorKind.Conflict, ex.Kind);
        Assert.Equal($"endpoint 'c1' ({endpoint.Id}) refers to sandbox '{missing}', which is not in the store", ex.Message);
        Assert.Empty(store.Load().Networks);
    }

    [Fact]
    public void Deleting_a_network_or_sandbox_an_endpoint_still_refers_to_is_refused()
    {
        using var dir = new TempDirectory();
        using var store = new SqliteStore(dir.DataRoot);
        var network = Samples.Network();
        var sandbox = Samples.Sandbox();
        var endpoint = Samples.Endpoint(network.Id, sandbox.Id, name: "c1");
        store.Commit(new StoreBatch().Put(network).Put(sandbox).Put(endpoint));

        var ex = Assert.Throws<PlexusException>(() => store.Commit(new StoreBatch().DeleteNetwork(network.Id)));
        Assert.Equal(ErrorKind.Conflict, ex.Kind);
        Assert.Equal($"cannot delete network '{network.Id}' from the store: endpoint 'c1' ({endpoint.Id}) still refers to it", ex.Message);

        ex = Assert.Throws<PlexusException>(() => store.Commit(new StoreBatch().DeleteSandbox(sandbox.Id)));
        Assert.Equal(ErrorKind.Conflict, ex.Kind);
        Assert.Equal($"cannot delete sandbox '{sandbox.Id}' from the store: endpoint 'c1' ({endpoint.Id}) still refers to it", ex.Message);

        var snapshot = store.Load();
        Assert.Single(snapshot.Networks);
        Assert.Single(snapshot.Sandboxes);
        Assert.Single(snapshot.Endpoints);

        // In one batch, in either order, leaving and deleting is fine: references are checked at commit.
        store.Commit(new StoreBatch().DeleteSandbox(sandbox.Id).Put(endpoint with { SandboxId = null }));
        store.Commit(new StoreBatch().DeleteNetwork(network.Id).DeleteEndpoint(endpoint.Id));
        snapshot = store.Load();
        Assert.Empty(snapshot.Networks);
        Assert.Empty(snapshot.Sandboxes);
        Assert.Empty(snapshot.Endpoints);
    }

    [Fact]
    public void An_empty_batch_commits_nothing_and_does_not_fail()
    {
        using var dir = new TempDirectory();
        using var store = new SqliteStore(dir.DataRoot);
        store.Commit(new StoreBatch());
        Assert.Empty(store.Load().Networks);
        Assert.Throws<ArgumentNullException>(() => store.Commit(null!));
    }

    [Fact]
    public void Commits_from_many_threads_all_land()
    {
        using var dir = new TempDirectory();
        using var store = new SqliteStore(dir.DataRoot);
        const int threads = 4, perThread = 50;
        var ids = new System.Collections.Concurrent.ConcurrentBag<string>();
        var failures = new System.Collections.Concurrent.ConcurrentBag<Exception>();
        using var start = new Barrier(threads);
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            try
            {
                start.SignalAndWait();
                for (int i = 0; i < perThread; i++)
                {
                    var network = Samples.MinimalNetwork($"t{t}-{i}");
                    var endpoint = Samples.MinimalEndpoint(network.Id, "e");
                    store.Commit(new StoreBatch().Put(network).Put(endpoint));
                    ids.Add(network.Id);
                    if (i % 10 == 0) store.Load(); // reads interleaved with the other threads' writes
                }
            }
            catch (Exception ex)
            {
                failures.Add(ex);
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());

        Assert.Empty(failures);
        var snapshot = store.Load();
        Assert.Equal(ids.Order(), snapshot.Networks.Select(n => n.Id).Order());
        Assert.Equal(threads * perThread, snapshot.Endpoints.Count);
    }

    [Fact]
    public void Many_single_put_commits_all_land_and_their_cost_is_printed()
    {
        using var dir = new TempDirectory();
        using var store = new SqliteStore(dir.DataRoot);
        var network = Samples.Network();
        store.Commit(new StoreBatch().Put(network)); // warm up: JIT, first page allocations
        const int count = 2000;
        var stopwatch = Stopwatch.StartNew();
        for (int i = 0; i < count; i++)
            store.Commit(new StoreBatch().Put(network with { Name = $"n{i}", Id = Ids.New() }));
        stopwatch.Stop();
        output.WriteLine($"one commit of one network put: {stopwatch.Elapsed.TotalMicroseconds / count:F1} µs (mean of {count})");

        Assert.Equal(count + 1, store.Load().Networks.Count);
    }
}

internal static class StoreExtensions
{
    /// <summary>Runs <paramref name="use"/> on the store and disposes it.</summary>
    public static T Using<T>(this SqliteStore store, Func<SqliteStore, T> use)
    {
        using (store)
            return use(store);
    }
}
