using System.Threading.Channels;
using Plexus.Engine.Store;

namespace Plexus.Cluster.Etcd;

/// <summary>
/// The pump of one watch: etcd's /v3/watch on one member, a streamed HTTP/1.1 answer of watch responses, whose
/// events go into a channel; after a failure it follows the next member from the revision after the last one
/// it delivered.
/// </summary>
/// <remarks>
/// <para>
/// The pump reads with blocking calls on a thread of its own (as every call of the store does; a watch lives as
/// long as what follows it, and the daemon has a handful), so it holds no thread-pool thread while it waits.
/// Stopping closes its connection, which ends a blocked read at once.
/// </para>
/// <para>
/// A member that hangs, or whose host vanished without closing the connection, would leave the watch silent
/// forever (gRPC found those with HTTP/2 pings; HTTP/1.1 has none, and a progress request cannot be sent on a
/// gateway stream whose request body has ended). So when the watch has received nothing for
/// <see cref="EtcdOptions.WatchCheckInterval"/>, the pump asks the same member for a linearizable read that
/// needs its leader; when that gets no answer within the request timeout the member is taken for gone: the
/// watch's connection is closed and the watch moves on. A watch that was merely idle carries on untouched.
/// </para>
/// </remarks>
internal sealed class EtcdWatch
{
    private readonly EtcdConnection _connection;
    private readonly EtcdGlobalStore _store;
    private readonly (byte[] Key, byte[] End) _range;
    private readonly ChannelWriter<WatchEvent> _events;
    private readonly CancellationToken _stop;
    private long _next;

    private EtcdWatch(EtcdConnection connection, EtcdGlobalStore store, (byte[] Key, byte[] End) range, long afterRevision,
        ChannelWriter<WatchEvent> events, CancellationToken stop)
    {
        _connection = connection;
        _store = store;
        _range = range;
        _next = afterRevision + 1;
        _events = events;
        _stop = stop;
    }

    /// <summary>Starts the pump; the task ends when it has stopped (and completed <paramref name="events"/>, with the error that ended it if any).</summary>
    public static Task Start(EtcdConnection connection, EtcdGlobalStore store, (byte[] Key, byte[] End) range, long afterRevision,
        ChannelWriter<WatchEvent> events, CancellationToken stop)
    {
        var watch = new EtcdWatch(connection, store, range, afterRevision, events, stop);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            watch.Pump();
            done.TrySetResult();
        })
        { IsBackground = true, Name = "etcd watch" };
        thread.Start();
        return done.Task;
    }

    private void Pump()
    {
        var member = _connection.Current;
        Exception? error = null;
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    Follow(member);
                }
                catch (EtcdUnreachableException) when (!_stop.IsCancellationRequested)
                {
                    // etcd is away: try the next member after a pause, from the revision after the last one delivered.
                }
                if (_stop.IsCancellationRequested) break;
                member = _connection.Next(member);
                _stop.WaitHandle.WaitOne(_connection.Options.RetryInterval);
            }
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
            // the reader stopped or the store was disposed: the connection was closed under a read
        }
        catch (EtcdRefusedException e)
        {
            error = new InvalidOperationException($"watch: etcd refused it: {e.Message}", e);
        }
        catch (Exception e)
        {
            error = e;
        }
        _events.TryComplete(error);
    }

    /// <summary>Follows the watch on <paramref name="member"/> until its stream ends, fails or is cancelled by the member.</summary>
    private void Follow(EtcdMember member)
    {
        using var connection = CancellationTokenSource.CreateLinkedTokenSource(_stop);
        var options = _connection.Options;
        connection.CancelAfter(options.RequestTimeout); // until the answer's head arrives
        var request = new WatchRequest { CreateRequest = new WatchCreateRequest { Key = _range.Key, RangeEnd = _range.End, StartRevision = _next, PrevKv = true } };
        using var answer = member.OpenStream("/v3/watch", request, EtcdJson.Default.WatchRequest, connection.Token);
        connection.CancelAfter(Timeout.Infinite);
        using var watchdog = new Watchdog(this, member, connection);
        var buffer = new MessageBuffer();
        while (EtcdMember.ReadMessage(answer.Body, buffer, watchdog.Received) is { } message)
        {
            var streamed = EtcdMember.Parse(message, EtcdJson.Default.StreamedWatch);
            if (streamed?.Error is { } failed) throw EtcdRefusedException.From(failed.GrpcCode, failed.Message ?? $"status {failed.GrpcCode}");
            if (streamed?.Result is not { } response) continue;
            // etcd keeps history from its compaction revision on: everything before it is gone.
            if (response.CompactRevision > 0) throw new RevisionCompactedException(_next - 1, response.CompactRevision - 1);
            if (response.Canceled) return; // cancelled by the member (e.g. it lost its leader): follow elsewhere
            foreach (var change in response.Events ?? [])
            {
                if (change.Kv is not { } kv) continue;
                _events.TryWrite(Change(change, kv));
                _next = Math.Max(_next, kv.ModRevision + 1);
            }
        }
    }

    /// <summary>
    /// The watchdog of the watch on one member: after <see cref="EtcdOptions.WatchCheckInterval"/> without a byte,
    /// a member that cannot answer a read is given up (the watch's connection closed, which ends its read).
    /// </summary>
    private sealed class Watchdog : IDisposable
    {
        private readonly EtcdWatch _watch;
        private readonly EtcdMember _member;
        private readonly CancellationTokenSource _connection;
        private readonly Timer _timer;
        private readonly long _interval;
        private long _lastReceived = Environment.TickCount64;

        public Watchdog(EtcdWatch watch, EtcdMember member, CancellationTokenSource connection)
        {
            _watch = watch;
            _member = member;
            _connection = connection;
            _interval = (long)watch._connection.Options.WatchCheckInterval.TotalMilliseconds;
            _timer = new Timer(static s => ((Watchdog)s!).Check(), this, _interval, Timeout.Infinite);
        }

        public void Received() => Volatile.Write(ref _lastReceived, Environment.TickCount64);

        private void Check()
        {
            long silent = Environment.TickCount64 - Volatile.Read(ref _lastReceived);
            if (silent >= _interval && !_watch.Answers(_member))
            {
                try
                {
                    _connection.Cancel();
                }
                catch (ObjectDisposedException)
                {
                    // the watch on this member ended meanwhile
                }
                return;
            }
            try
            {
                _timer.Change(silent >= _interval ? _interval : _interval - silent, Timeout.Infinite);
            }
            catch (ObjectDisposedException)
            {
            }
        }

        public void Dispose() => _timer.Dispose();
    }

    private bool Answers(EtcdMember member)
    {
        try
        {
            using var deadline = new CancellationTokenSource(_connection.Options.RequestTimeout);
            member.Post("/v3/kv/range", new RangeRequest { Key = _range.Key, CountOnly = true }, EtcdJson.Default.RangeRequest, EtcdJson.Default.RangeResponse, deadline.Token);
            return true;
        }
        catch (EtcdUnreachableException)
        {
            return false;
        }
        catch (EtcdRefusedException)
        {
            return true; // an answer
        }
    }

    private WatchEvent Change(EtcdEvent change, EtcdKeyValue kv)
    {
        if (change.Type == "DELETE")
        {
            // The entry as it was (prev_kv); without it (etcd had compacted it away) at least its key.
            var entry = change.PrevKv is { } previous ? _store.Entry(previous) : new KeyValue(_store.StoreKeyOf(kv), "", 0, kv.ModRevision, 0);
            return new WatchEvent(WatchEventKind.Delete, entry, kv.ModRevision);
        }
        return new WatchEvent(WatchEventKind.Put, _store.Entry(kv), kv.ModRevision);
    }
}
