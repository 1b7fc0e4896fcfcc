using System.Collections.Concurrent;
using Plexus.Kernel.Netlink;

namespace Plexus.Kernel.Tests.Unit;

/// <summary>The closer that takes slow closes (a netfilter socket's waits out an RCU grace period) off the caller's thread.</summary>
public sealed class DeferredCloseTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public void Enqueue_returns_while_a_close_is_still_blocked_and_the_closer_thread_then_closes_everything()
    {
        using var release = new ManualResetEventSlim();
        var closed = new ConcurrentQueue<int>();
        try
        {
            DeferredClose.Enqueue(new Probe(closed, release)); // its close blocks until released: Enqueue must not wait for it
            DeferredClose.Enqueue(new Probe(closed, null));
            Assert.True(closed.IsEmpty);
        }
        finally
        {
            release.Set();
        }
        Assert.True(SpinWait.SpinUntil(() => closed.Count == 2, Patience), "the closer never closed both");
        Assert.All(closed, thread => Assert.NotEqual(Environment.CurrentManagedThreadId, thread));
    }

    [Fact]
    public void A_close_that_throws_does_not_stop_the_closer()
    {
        var closed = new ConcurrentQueue<int>();
        DeferredClose.Enqueue(new Throwing());
        DeferredClose.Enqueue(new Probe(closed, null));
        Assert.True(SpinWait.SpinUntil(() => closed.Count == 1, Patience), "the closer stopped after a failed close");
    }

    /// <summary>Records the thread that closed it; with a gate, waits for it first (bounded, so a failed test cannot hang the closer).</summary>
    internal sealed class Probe(ConcurrentQueue<int> closed, ManualResetEventSlim? gate) : IDisposable
    {
        public void Dispose()
        {
            gate?.Wait(Patience);
            closed.Enqueue(Environment.CurrentManagedThreadId);
        }
    }

    private sealed class Throwing : IDisposable
    {
        public void Dispose() => throw new InvalidOperationException("close failed");
    }
}
