namespace Plexus.Engine.Controller;

/// <summary>
/// The controller's changes, in the order they were committed, for whoever needs to follow them (the API's
/// /events stream; later the DNS registry). The controller publishes after each committed change; a
/// subscriber's handler runs on the publishing thread under this hub's lock, so every subscriber sees
/// every event once and in one order. Handlers must be quick and must not call back into the controller:
/// hand the event to a queue and return. The last <see cref="History"/> events are kept, as Docker keeps
/// them, so a subscriber can start from a moment in the recent past. Publishing allocates nothing.
/// </summary>
public sealed class ControllerEvents
{
    /// <summary>Events kept for subscribers that start in the past (Docker keeps 256).</summary>
    public const int History = 256;

    private readonly Lock _lock = new();
    private readonly ControllerEvent[] _recent = new ControllerEvent[History];
    private long _published;
    private Action<ControllerEvent>[] _handlers = [];

    /// <summary>Stamps the event with the time and hands it to every subscriber.</summary>
    public void Publish(ControllerEvent change)
    {
        lock (_lock)
        {
            var stamped = change with { TimeNanoseconds = Now() };
            _recent[_published++ % History] = stamped;
            foreach (var handler in _handlers)
            {
                try
                {
                    handler(stamped);
                }
                catch (Exception) when (!System.Diagnostics.Debugger.IsAttached)
                {
                    // A subscriber's bug must not fail the operation that was already committed.
                }
            }
        }
    }

    /// <summary>
    /// Subscribes <paramref name="handler"/>; first replays, in order, the kept events published at or after
    /// <paramref name="sinceNanoseconds"/> (none by default). Dispose the result to unsubscribe.
    /// </summary>
    public IDisposable Subscribe(Action<ControllerEvent> handler, long sinceNanoseconds = long.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_lock)
        {
            for (long i = Math.Max(0, _published - History); i < _published; i++)
            {
                var kept = _recent[i % History];
                if (kept.TimeNanoseconds >= sinceNanoseconds) handler(kept);
            }
            _handlers = [.. _handlers, handler];
        }
        return new Subscription(this, handler);
    }

    private void Unsubscribe(Action<ControllerEvent> handler)
    {
        lock (_lock) _handlers = Array.FindAll(_handlers, h => h != handler);
    }

    /// <summary>Nanoseconds since the Unix epoch, UTC, never going backwards between two events.</summary>
    private long Now()
    {
        long now = (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100;
        long last = _published == 0 ? 0 : _recent[(_published - 1) % History].TimeNanoseconds;
        return Math.Max(now, last);
    }

    private sealed class Subscription(ControllerEvents events, Action<ControllerEvent> handler) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) events.Unsubscribe(handler);
        }
    }
}
