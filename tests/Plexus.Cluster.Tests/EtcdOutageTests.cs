using System.Diagnostics;
using System.Net;
using Plexus.Cluster.Membership;
using Plexus.Engine.Cluster;
using Plexus.Engine.Store;
using Plexus.Testing;

namespace Plexus.Cluster.Tests;

/// <summary>etcd goes away and comes back: global operations fail fast meanwhile, and the same objects carry on after.</summary>
[Trait("Category", "Privileged")]
public sealed class EtcdOutageTests(EtcdFixture etcd) : IClassFixture<EtcdFixture>
{
    [PrivilegedFact]
    public async Task Operations_fail_fast_while_etcd_is_down_and_the_same_store_and_its_watch_resume_when_it_returns()
    {
        using var store = etcd.NewStore($"/plexus-{Guid.NewGuid():N}");
        using var membership = new EtcdClusterMembership(store, new ClusterHost("host-a", "10.0.0.1", IPAddress.Parse("10.0.0.1")), TimeSpan.FromSeconds(2));
        membership.Start();
        await membership.WaitRegisteredAsync(Eventually.Patience);
        var a = store.Put("/o/a", "1");
        using var cancel = new CancellationTokenSource(Eventually.Patience * 2);
        var events = store.Watch("/o/", a.Revision - 1, cancel.Token).GetAsyncEnumerator(cancel.Token);
        Assert.True(await events.MoveNextAsync());
        Assert.Equal("/o/a", events.Current.Entry.Key);
        var pending = events.MoveNextAsync(); // waits across the outage

        etcd.Etcd.Kill();
        var clock = Stopwatch.StartNew();
        var error = Assert.Throws<GlobalStoreUnavailableException>(() => store.Put("/o/b", "2"));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}"); // fails rather than hangs
        Assert.Contains($"etcd at {etcd.Etcd.Endpoint}", error.Message, StringComparison.Ordinal);
        Assert.Throws<GlobalStoreUnavailableException>(() => store.Get("/o/a"));
        Assert.Throws<GlobalStoreUnavailableException>(() => membership.PutOwned("/endpoints/e1", "{}"));
        Eventually.True(() => !membership.IsRegistered, "the host notices that its registration cannot be renewed");

        etcd.Etcd.Restart();
        var b = Eventually.Succeeds<CasResult, GlobalStoreUnavailableException>(() => store.Put("/o/b", "2"));
        Assert.True(await pending.AsTask().WaitAsync(Eventually.Patience));
        Assert.Equal((WatchEventKind.Put, "/o/b", b.Revision), (events.Current.Kind, events.Current.Entry.Key, events.Current.Revision)); // /o/a not again, nothing skipped
        await events.DisposeAsync();

        Eventually.True(() => membership.IsRegistered, "the host is registered again");
        Assert.NotNull(store.Get("/hosts/host-a"));
        membership.PutOwned("/endpoints/e1", "{}");
        Assert.NotNull(store.Get("/endpoints/e1"));
    }
}
