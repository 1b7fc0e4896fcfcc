using Plexus.Engine.Controller;
using Plexus.Engine.Model;

namespace Plexus.Engine.Tests.Controller;

public sealed class ControllerEventsTests
{
    private static NetworkState Network(string name) => new() { Id = name + "-id", Name = name, Driver = "bridge" };

    [Fact]
    public void Subscribers_see_every_event_once_in_publish_order_with_times_that_never_go_back()
    {
        var hub = new ControllerEvents();
        var seen = new List<ControllerEvent>();
        using (hub.Subscribe(seen.Add))
        {
            for (int i = 0; i < 10; i++) hub.Publish(ControllerEvent.NetworkCreated(Network("n" + i)));
        }
        hub.Publish(ControllerEvent.NetworkCreated(Network("after")));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => "n" + i), seen.Select(e => e.Network!.Name));
        Assert.True(seen.Zip(seen.Skip(1)).All(p => p.First.TimeNanoseconds <= p.Second.TimeNanoseconds));
        Assert.All(seen, e => Assert.True(e.TimeNanoseconds > 0));
    }

    [Fact]
    public void A_subscriber_may_start_in_the_past_from_the_last_256_events_and_then_follows_live()
    {
        var hub = new ControllerEvents();
        for (int i = 0; i < ControllerEvents.History + 44; i++) hub.Publish(ControllerEvent.NetworkCreated(Network("old" + i)));
        var seen = new List<string>();
        using var subscription = hub.Subscribe(e => seen.Add(e.Network!.Name), sinceNanoseconds: 0);
        Assert.Equal(ControllerEvents.History, seen.Count);
        Assert.Equal("old44", seen[0]);
        hub.Publish(ControllerEvent.NetworkRemoved(Network("live")));
        Assert.Equal("live", seen[^1]);

        var recentOnly = new List<string>();
        using var none = hub.Subscribe(e => recentOnly.Add(e.Network!.Name)); // no replay by default
        Assert.Empty(recentOnly);
    }

    [Fact]
    public void A_failing_subscriber_does_not_fail_the_publisher_or_the_others()
    {
        var hub = new ControllerEvents();
        int good = 0;
        using var bad = hub.Subscribe(_ => throw new InvalidOperationException("subscriber bug"));
        using var fine = hub.Subscribe(_ => good++);
        hub.Publish(ControllerEvent.SandboxCreated(new SandboxState { Id = "s", Name = "s", NamespacePath = "/x" }));
        Assert.Equal(1, good);
    }

    [Fact]
    public void A_failing_subscriber_in_the_replay_does_not_fail_the_subscription_or_the_replay()
    {
        var hub = new ControllerEvents();
        for (int i = 0; i < 3; i++) hub.Publish(ControllerEvent.NetworkCreated(Network("n" + i)));
        var seen = new List<string>();
        using var subscription = hub.Subscribe(e =>
        {
            if (e.Network!.Name == "n1") throw new InvalidOperationException("subscriber bug");
            seen.Add(e.Network.Name);
        }, sinceNanoseconds: 0);
        using var follower = hub.Follow(e => throw new InvalidOperationException("follower bug"), sinceNanoseconds: 0);
        hub.Publish(ControllerEvent.NetworkCreated(Network("live")));
        Assert.Equal(["n0", "n2", "live"], seen);
    }

    [Fact]
    public void Followers_see_the_replay_then_every_live_event_once_in_publish_order_from_many_publishers()
    {
        var hub = new ControllerEvents();
        for (int i = 0; i < 5; i++) hub.Publish(ControllerEvent.NetworkCreated(Network("old" + i)));
        var seen = new System.Collections.Concurrent.ConcurrentQueue<ControllerEvent>();
        var ordered = new List<string>();
        using var follower = hub.Follow(seen.Enqueue, sinceNanoseconds: 0);
        using var subscriber = hub.Subscribe(e => ordered.Add(e.Network!.Name)); // under the hub's lock: the publish order
        Parallel.For(0, 8, t =>
        {
            for (int i = 0; i < 500; i++) hub.Publish(ControllerEvent.NetworkCreated(Network($"t{t}-{i}")));
        });
        var names = seen.Select(e => e.Network!.Name).ToList();
        Assert.Equal(Enumerable.Range(0, 5).Select(i => "old" + i), names.Take(5));
        Assert.Equal(ordered, names.Skip(5)); // all 4000, each once, in the order they were published
        Assert.True(seen.Zip(seen.Skip(1)).All(p => p.First.TimeNanoseconds <= p.Second.TimeNanoseconds));
    }

    [Fact]
    public void A_follower_that_unsubscribed_sees_nothing_more()
    {
        var hub = new ControllerEvents();
        int count = 0;
        var follower = hub.Follow(_ => count++);
        hub.Publish(ControllerEvent.NetworkCreated(Network("a")));
        follower.Dispose();
        hub.Publish(ControllerEvent.NetworkCreated(Network("b")));
        Assert.Equal(1, count);
    }
}
