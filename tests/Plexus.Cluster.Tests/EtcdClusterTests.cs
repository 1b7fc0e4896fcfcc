using Plexus.Cluster.Etcd;
using Plexus.Engine.Store;
using Plexus.Testing;

namespace Plexus.Cluster.Tests;

/// <summary>A three-member etcd cluster for one test class.</summary>
public sealed class EtcdClusterFixture : IDisposable
{
    private readonly Lazy<IReadOnlyList<EtcdProcess>> _members = new(StartWritable);

    public IReadOnlyList<EtcdProcess> Members => _members.Value;

    /// <summary>
    /// A fresh cluster elects its first leader and commits its first entries while a test would already write: on a
    /// loaded machine that outlasts one request's deadline (CI saw a first put time out), so the tests get the cluster
    /// once it has taken a write.
    /// </summary>
    private static IReadOnlyList<EtcdProcess> StartWritable()
    {
        var members = EtcdProcess.StartCluster(3);
        try
        {
            using var store = new EtcdGlobalStore(EtcdFixture.Tuned(new EtcdOptions { Endpoints = [.. members.Select(m => m.ClientUrl)] }));
            Eventually.Succeeds<CasResult, GlobalStoreUnavailableException>(() => store.Put("/warm-up", "1"));
            return members;
        }
        catch
        {
            foreach (var member in members) member.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        if (!_members.IsValueCreated) return;
        foreach (var member in _members.Value) member.Dispose();
    }
}

/// <summary>The store fails over between members: a cluster that loses one member keeps serving it, watches included.</summary>
[Trait("Category", "Privileged")]
public sealed class EtcdClusterTests(EtcdClusterFixture cluster) : IClassFixture<EtcdClusterFixture>
{
    [PrivilegedFact]
    public async Task A_three_member_cluster_losing_one_member_keeps_working()
    {
        var options = EtcdFixture.Tuned(new EtcdOptions { Endpoints = [.. cluster.Members.Select(m => m.ClientUrl)] });
        using var store = new EtcdGlobalStore(options);
        var a = store.Put("/c/a", "1", StoreRevisions.Absent);
        Assert.True(a.Succeeded);
        using var cancel = new CancellationTokenSource(Eventually.Patience * 2);
        var events = store.Watch("/c/", a.Revision, cancel.Token).GetAsyncEnumerator(cancel.Token);
        var pending = events.MoveNextAsync();

        cluster.Members[0].Kill(); // the member the store talks to first (and maybe the leader: the others elect a new one)

        // While a new leader is elected a write may be refused; it must then go through without a new store.
        var b = Eventually.Succeeds<CasResult, GlobalStoreUnavailableException>(() => store.Put("/c/b", "2"));
        Assert.True(b.Succeeded);
        Assert.Equal("2", store.Get("/c/b")!.Value);
        // compare-and-swap still holds (the new leader may still be settling: a refusal to answer is retried)
        Assert.False(Eventually.Succeeds<CasResult, GlobalStoreUnavailableException>(() => store.Put("/c/a", "again", StoreRevisions.Absent)).Succeeded);
        Assert.True(await pending.AsTask().WaitAsync(Eventually.Patience));
        // A put refused during the election ("leader changed") may still have been applied, and then applied again by
        // the retry: the watch's first change is /c/b, at b's revision or at an earlier one of the same put.
        Assert.Equal(("/c/b", "2"), (events.Current.Entry.Key, events.Current.Entry.Value));
        Assert.InRange(events.Current.Revision, a.Revision + 1, b.Revision);
        await events.DisposeAsync();

        // A client that lists the dead member first still works.
        using var other = new EtcdGlobalStore(options);
        Assert.Equal(["/c/a", "/c/b"], other.List("/c/").Entries.Select(e => e.Key));
    }
}
