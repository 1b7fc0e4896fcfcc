using Plexus.Cluster.Etcd;
using Plexus.Engine.Store;
using Plexus.Testing;

namespace Plexus.Cluster.Tests;

/// <summary>
/// A member that hangs (SIGSTOP: its connections stay open, nothing answers) rather than dies: a watch on it
/// notices the silence and follows another member (the watchdog that replaces gRPC's HTTP/2 pings).
/// A cluster of its own: the other cluster test kills a member.
/// </summary>
[Trait("Category", "Privileged")]
public sealed class EtcdHungMemberTests(EtcdClusterFixture cluster) : IClassFixture<EtcdClusterFixture>
{
    [PrivilegedFact]
    public async Task A_watch_on_a_member_that_hangs_moves_to_another_member_and_misses_nothing()
    {
        var members = cluster.Members;
        var options = EtcdFixture.Tuned(new EtcdOptions { Endpoints = [.. members.Select(m => m.ClientUrl)] }) with { WatchCheckInterval = TimeSpan.FromSeconds(1) };
        using var watcher = new EtcdGlobalStore(options); // member 0 first
        var a = watcher.Put("/h/a", "1");
        using var cancel = new CancellationTokenSource(Eventually.Patience * 2);
        var events = watcher.Watch("/h/", a.Revision, cancel.Token).GetAsyncEnumerator(cancel.Token);
        var first = events.MoveNextAsync();
        var a2 = watcher.Put("/h/a2", "1");
        Assert.True(await first.AsTask().WaitAsync(Eventually.Patience)); // the watch is established (on member 0)
        Assert.Equal(("/h/a2", a2.Revision), (events.Current.Entry.Key, events.Current.Revision));
        var pending = events.MoveNextAsync();

        members[0].Pause();
        try
        {
            using var writer = new EtcdGlobalStore(options with { Endpoints = [members[1].ClientUrl, members[2].ClientUrl] });
            // If member 0 led, the others elect a new leader first.
            var b = Eventually.Succeeds<CasResult, GlobalStoreUnavailableException>(() => writer.Put("/h/b", "2"));
            Assert.True(await pending.AsTask().WaitAsync(Eventually.Patience));
            Assert.Equal(("/h/b", "2"), (events.Current.Entry.Key, events.Current.Entry.Value));
            Assert.InRange(events.Current.Revision, a2.Revision + 1, b.Revision); // a refused put may have been applied and retried
        }
        finally
        {
            members[0].Resume();
        }
        await events.DisposeAsync();
    }
}
