using System.Collections.Concurrent;

namespace Plexus.Engine.Controller;

/// <summary>
/// The controller's changes, in the order they were committed, for whoever needs to follow them (the DNS
/// registry, the log, the API's /events stream). The controller publishes after each committed change.
/// Two kinds of subscriber, both seeing every event once and in one order:
/// <list type="bullet">
/// <item><see cref="Subscribe"/>: the handler runs on the publishing thread under this hub's lock, before
/// <see cref="Publish"/> returns, for whoever must have seen a change before the operation answers (the DNS
/// registry: the names resolve when connect returns).</item>
/// <item><see cref="Follow"/>: the handler runs after the lock is released, on a publishing thread (one at a time,
/// in publish order), possibly just after the publisher returned, for whoever only needs the order (the log, the
/// /events queue): joins on one network run side by side, and their followers' work no longer holds the others up.</item>
/// </list>
/// Handlers must be quick and must not call back into the controller: hand the event to a queue and return. The
/// last <see cref="History"/> events are kept, as Docker keeps them, so a subscriber can start from a moment in the
/// recent past.
/// </summary>
public sealed class ControllerEvents
{
    /// <summary>Events kept for subscribers that start in the past (Docker keeps 256).</summary>
    public const int History = 256;

    private readonly Lock _lock = new();
    private readonly ControllerEvent[] _recent = new ControllerEvent[History];
    private long _published;
    private Action<ControllerEvent>[] _handlers = [];

    // Followers: events wait here, in publish order (enqueued under the lock), for whichever publisher drains them.
    private readonly ConcurrentQueue<(long Sequence, ControllerEvent Change)> _pending = new();
    private Follower[] _followers = [];
    private int _draining;

    /// <summary>Stamps the event with the time and hands it to every subscriber, then to every follower.</summary>
    public void Publish(ControllerEvent change)
    {
        bool follow;
        lock (_lock)
        {
            var stamped = change with { TimeNanoseconds = Now() };
            long sequence = _published++;
            _recent[sequence % History] = stamped;
            foreach (var handler in _handlers) Deliver(handler, stamped);
            follow = _followers.Length > 0;
            if (follow) _pending.Enqueue((sequence, stamped));
        }
        if (follow) Drain();
    }

    /// <summary>
    /// Subscribes <paramref name="handler"/> to run under the hub's lock, before each Publish returns; first replays,
    /// in order, the kept events published at or after <paramref name="sinceNanoseconds"/> (none by default).
    /// Dispose the result to unsubscribe.
    /// </summary>
    public IDisposable Subscribe(Action<ControllerEvent> handler, long sinceNanoseconds = long.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_lock)
        {
            Replay(handler, sinceNanoseconds);
            _handlers = [.. _handlers, handler];
        }
        return new Subscription(() =>
        {
            lock (_lock) _handlers = Array.FindAll(_handlers, h => h != handler);
        });
    }

    /// <summary>
    /// Follows with <paramref name="handler"/>: every event in publish order, delivered outside the hub's lock (see
    /// the class's remarks); first replays the kept events published at or after <paramref name="sinceNanoseconds"/>.
    /// After the result is disposed, an event already on its way may still arrive once.
    /// </summary>
    public IDisposable Follow(Action<ControllerEvent> handler, long sinceNanoseconds = long.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(handler);
        Follower follower;
        lock (_lock)
        {
            Replay(handler, sinceNanoseconds);
            // Events published before this point are either replayed above or not wanted: the drain skips them.
            follower = new Follower(handler, _published);
            _followers = [.. _followers, follower];
        }
        return new Subscription(() =>
        {
            lock (_lock) _followers = Array.FindAll(_followers, f => f != follower);
        });
    }

    /// <summary>Under the lock: the kept events since the given time, to a new subscriber.</summary>
    private void Replay(Action<ControllerEvent> handler, long sinceNanoseconds)
    {
        for (long i = Math.Max(0, _published - History); i < _published; i++)
        {
            var kept = _recent[i % History];
            if (kept.TimeNanoseconds >= sinceNanoseconds) Deliver(handler, kept);
        }
    }

    /// <summary>
    /// Delivers waiting events to the followers, one drainer at a time so that they arrive in publish order. A
    /// publisher that finds another draining leaves its event to it: the drainer looks again after it stops.
    /// </summary>
    private void Drain()
    {
        while (!_pending.IsEmpty && Interlocked.CompareExchange(ref _draining, 1, 0) == 0)
        {
            try
            {
                while (_pending.TryDequeue(out var next))
                {
                    foreach (var follower in Volatile.Read(ref _followers))
                    {
                        if (next.Sequence >= follower.From) Deliver(follower.Handler, next.Change);
                    }
                }
            }
            finally
            {
                // A full fence, so the emptiness check that follows is not read before the release.
                Interlocked.Exchange(ref _draining, 0);
            }
        }
    }

    private static void Deliver(Action<ControllerEvent> handler, ControllerEvent change)
    {
        try
        {
            handler(change);
        }
        catch (Exception) when (!System.Diagnostics.Debugger.IsAttached)
        {
            // A subscriber's bug must not fail the operation that was already committed, nor a subscription.
        }
    }

    /// <summary>Nanoseconds since the Unix epoch, UTC, never going backwards between two events.</summary>
    private long Now()
    {
        long now = (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100;
        long last = _published == 0 ? 0 : _recent[(_published - 1) % History].TimeNanoseconds;
        return Math.Max(now, last);
    }

    private sealed record Follower(Action<ControllerEvent> Handler, long From);

    private sealed class Subscription(Action unsubscribe) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) unsubscribe();
        }
    }
}
