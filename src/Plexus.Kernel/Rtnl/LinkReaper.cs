using Plexus.Kernel.Namespaces;

namespace Plexus.Kernel.Rtnl;

/// <summary>
/// Deletes parked links in batches. Deleting a link makes the kernel wait out RCU grace periods (about 20 ms
/// for one veth, most of it after the request has released the kernel's lock), and deleting fifty at once
/// costs about the same: so a link that leaves service is parked at once (out of service, renamed, put in the
/// interface group <see cref="Group"/>; a veth pair carries nothing once one end is down) and this reaper deletes the whole group with one RTM_DELLINK a little
/// later, on a thread and a socket of its own, so nobody waits for it. Parked links that a crash left behind
/// are deleted by <see cref="ReapNow"/> when the daemon starts again.
/// </summary>
public sealed class LinkReaper : IDisposable
{
    /// <summary>How long the reaper waits for no more links to be parked before it deletes a batch.</summary>
    public static readonly TimeSpan DefaultDelay = TimeSpan.FromMilliseconds(100);

    private readonly RtNetlink _rt;
    private readonly TimeSpan _delay;
    private readonly Thread? _thread;
    private readonly SemaphoreSlim _wake = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _reap = new();
    private int _parked;
    private long _lastParked;
    private int _batches;
    private int _disposed;

    /// <param name="ns">The namespace whose parked links to delete (the daemon's host namespace).</param>
    /// <param name="group">The interface group that marks a link as parked; 0 is every link's group and is refused.</param>
    /// <param name="delay">How long the reaper waits for no further link to be parked before it deletes the group (at most
    /// four times as long after the first); infinite: only by <see cref="ReapNow"/>.</param>
    public LinkReaper(NetworkNamespace ns, uint group, TimeSpan? delay = null)
    {
        ArgumentNullException.ThrowIfNull(ns);
        ArgumentOutOfRangeException.ThrowIfZero(group);
        Group = group;
        _delay = delay ?? DefaultDelay;
        _rt = ns.OpenRtNetlink();
        if (_delay == Timeout.InfiniteTimeSpan) return;
        _thread = new Thread(Loop) { IsBackground = true, Name = "plexus-reaper" };
        _thread.Start();
    }

    /// <summary>The interface group (IFLA_GROUP) of parked links.</summary>
    public uint Group { get; }

    /// <summary>How many deletions found parked links to delete, since this reaper started.</summary>
    public int Batches => Volatile.Read(ref _batches);

    /// <summary>The last error a background deletion met (it tries again with the next parked link), or null.</summary>
    public Exception? LastError { get; private set; }

    /// <summary>
    /// Says a link was just parked: the group will be deleted within the delay. Only the first link of a batch wakes
    /// the reaper; the others leave the time they were parked, which the sleeping reaper reads when it wakes up. A
    /// wake-up per detach was a thread hand-over per detach, for a thread that only restarted its timer.
    /// </summary>
    public void Parked()
    {
        Volatile.Write(ref _lastParked, Environment.TickCount64);
        if (Interlocked.Increment(ref _parked) == 1 && _thread is not null && Volatile.Read(ref _disposed) == 0) _wake.Release();
    }

    /// <summary>Deletes every parked link now, in one request; returns whether there was any.</summary>
    public bool ReapNow()
    {
        lock (_reap)
        {
            Volatile.Write(ref _parked, 0);
            if (!_rt.DeleteGroup(Group)) return false;
            Interlocked.Increment(ref _batches);
            return true;
        }
    }

    /// <summary>The longest a parked link waits, in delays: the delay is the quiet time before a batch, not its age.</summary>
    private const int MaxDelays = 4;

    private void Loop()
    {
        var stop = _stop.Token;
        long delay = (long)_delay.TotalMilliseconds;
        try
        {
            while (true)
            {
                _wake.Wait(stop);
                // Let the links parked meanwhile join this batch: wait until none has come for the delay, but
                // no longer than a few delays in all, so a steady stream of detaches is still reaped.
                var deadline = Environment.TickCount64 + (delay * MaxDelays);
                while (true)
                {
                    long until = Math.Min(Volatile.Read(ref _lastParked) + delay, deadline), now = Environment.TickCount64;
                    if (now >= until) break;
                    if (stop.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(until - now))) return;
                }
                while (_wake.Wait(0))
                {
                    // a wake-up from a link parked while this batch waited: it is in this batch
                }
                if (Volatile.Read(ref _parked) == 0) continue;
                try
                {
                    ReapNow();
                    LastError = null;
                }
                catch (KernelException e)
                {
                    LastError = e;
                }
                if (stop.IsCancellationRequested) return;
            }
        }
        catch (OperationCanceledException)
        {
            // disposed: what is still parked waits for the next start (ReapNow), as after a crash
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>
    /// Stops the reaper without deleting what is still parked: those links are out of service, out of every bridge
    /// and renamed, and the next start deletes them (the same path as after a crash).
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _stop.Cancel();
        _thread?.Join(TimeSpan.FromSeconds(10));
        lock (_reap) _rt.Dispose();
        _stop.Dispose();
        _wake.Dispose();
    }
}
