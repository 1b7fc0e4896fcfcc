using Plexus.Kernel.Netlink;

namespace Plexus.Kernel.Tests.Unit;

/// <summary>The closer that takes slow closes (a netfilter socket's waits out an RCU grace period) off the caller's thread.</summary>
public sealed class DeferredCloseTests
{
    [Fact]
    public void Enqueue_returns_while_the_close_is_still_blocked_and_the_closer_thread_then_closes_everything_in_order()
    {
        using var release = new ManualResetEventSlim();
        var closed = new System.Collections.Concurrent.ConcurrentQueue<(int Id, int Thread)>();
        var first = new Probe(1, closed, release);
        var second = new Probe(2, closed, null);

        DeferredClose.Enqueue(first); // its close blocks until released: Enqueue must not wait for it
        DeferredClose.Enqueue(second);
        Assert.True(closed.IsEmpty);
        Assert.True(DeferredClose.Pending >= 2);

        release.Set();
        Assert.True(SpinWait.SpinUntil(() => closed.Count == 2, TimeSpan.FromSeconds(30)), "the closer never closed both");
        Assert.Equal([1, 2], closed.Select(c => c.Id));
        Assert.All(closed, c => Assert.NotEqual(Environment.CurrentManagedThreadId, c.Thread));
    }

    [Fact]
    public void A_close_that_throws_does_not_stop_the_closer()
    {
        var closed = new System.Collections.Concurrent.ConcurrentQueue<(int Id, int Thread)>();
        DeferredClose.Enqueue(new Throwing());
        DeferredClose.Enqueue(new Probe(3, closed, null));
        Assert.True(SpinWait.SpinUntil(() => closed.Count == 1, TimeSpan.FromSeconds(30)), "the closer stopped after a failed close");
    }

    private sealed class Probe(int id, System.Collections.Concurrent.ConcurrentQueue<(int, int)> closed, ManualResetEventSlim? gate) : IDisposable
    {
        public void Dispose()
        {
            gate?.Wait();
            closed.Enqueue((id, Environment.CurrentManagedThreadId));
        }
    }

    private sealed class Throwing : IDisposable
    {
        public void Dispose() => throw new InvalidOperationException("close failed");
    }
}
