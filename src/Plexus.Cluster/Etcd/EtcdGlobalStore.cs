using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using Plexus.Engine.Store;

namespace Plexus.Cluster.Etcd;

/// <summary>
/// The global store on etcd v3: every key under <see cref="EtcdOptions.Prefix"/>, revisions are etcd's own,
/// compare-and-swap is an etcd transaction on the key's mod_revision (create_revision 0 for "absent"),
/// a list reports the revision of its response header, and a watch is etcd's watch from that revision,
/// resumed after the last delivered change when etcd comes back.
/// </summary>
/// <remarks>
/// Calls are synchronous as <see cref="IGlobalStore"/> is (the engine's operations are), and bounded in time:
/// when no member answers within <see cref="EtcdOptions.RequestTimeout"/> they throw
/// <see cref="GlobalStoreUnavailableException"/>. The same object works again once etcd is back.
/// </remarks>
public sealed class EtcdGlobalStore : IGlobalStore
{
    private readonly EtcdConnection _connection;
    private readonly EtcdKeys _keys;
    private readonly CancellationTokenSource _disposed = new();

    public EtcdGlobalStore(EtcdOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _connection = new EtcdConnection(options);
        _keys = new EtcdKeys(options.Prefix);
    }

    public EtcdOptions Options => _connection.Options;

    internal EtcdConnection Connection => _connection;

    public long Revision
    {
        get
        {
            var (key, end) = _keys.Range("/");
            return Call("read the store's revision", write: false,
                (m, deadline) => m.KV.Range(new RangeRequest { Key = key, RangeEnd = end, CountOnly = true }, deadline: deadline)).Header.Revision;
        }
    }

    public KeyValue? Get(string key)
    {
        var etcdKey = _keys.Key(key);
        var response = Call($"get {key}", write: false, (m, deadline) => m.KV.Range(new RangeRequest { Key = etcdKey }, deadline: deadline));
        return response.Kvs.Count == 0 ? null : Entry(response.Kvs[0]);
    }

    public StoreRange List(string prefix)
    {
        var (key, end) = _keys.Range(prefix);
        var response = Call($"list {prefix}", write: false,
            (m, deadline) => m.KV.Range(new RangeRequest { Key = key, RangeEnd = end, SortOrder = RangeRequest.Types.SortOrder.Ascend, SortTarget = RangeRequest.Types.SortTarget.Key }, deadline: deadline));
        return new StoreRange([.. response.Kvs.Select(Entry)], response.Header.Revision);
    }

    public CasResult Put(string key, string value, long expectedRevision = StoreRevisions.Any) => Put(key, value, expectedRevision, lease: 0);

    /// <summary>A put whose entry lives as long as <paramref name="lease"/> (0: forever).</summary>
    internal CasResult Put(string key, string value, long expectedRevision, long lease)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(value);
        var etcdKey = _keys.Key(key);
        var txn = new TxnRequest();
        if (Compare(etcdKey, expectedRevision) is { } compare) txn.Compare.Add(compare);
        txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = etcdKey, Value = ByteString.CopyFromUtf8(value), Lease = lease, PrevKv = true } });
        txn.Failure.Add(new RequestOp { RequestRange = new RangeRequest { Key = etcdKey } });
        var response = Call($"put {key}", write: true, (m, deadline) => m.KV.Txn(txn, deadline: deadline));
        long revision = response.Header.Revision;
        if (!response.Succeeded) return new CasResult(false, revision, FirstOf(response));
        var previous = response.Responses[0].ResponsePut.PrevKv;
        return new CasResult(true, revision, new KeyValue(key, value, previous?.CreateRevision ?? revision, revision, (previous?.Version ?? 0) + 1));
    }

    public CasResult Delete(string key, long expectedRevision = StoreRevisions.Any)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var etcdKey = _keys.Key(key);
        var txn = new TxnRequest();
        if (Compare(etcdKey, expectedRevision) is { } compare) txn.Compare.Add(compare);
        txn.Success.Add(new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = etcdKey } });
        txn.Failure.Add(new RequestOp { RequestRange = new RangeRequest { Key = etcdKey } });
        var response = Call($"delete {key}", write: true, (m, deadline) => m.KV.Txn(txn, deadline: deadline));
        return response.Succeeded
            ? new CasResult(true, response.Header.Revision, null)
            : new CasResult(false, response.Header.Revision, FirstOf(response));
    }

    public IAsyncEnumerable<WatchEvent> Watch(string prefix, long afterRevision, CancellationToken cancellation = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(afterRevision);
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        var range = _keys.Range(prefix);
        return Follow(range, afterRevision, cancellation);
    }

    public void Compact(long revision)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(revision);
        try
        {
            // physical: returns once the history is gone, so a watch made right after sees the compaction.
            Call($"compact to revision {revision}", write: true,
                (m, deadline) => m.KV.Compact(new CompactionRequest { Revision = revision, Physical = true }, deadline: deadline));
        }
        catch (InvalidOperationException e) when (e.InnerException is RpcException { StatusCode: StatusCode.OutOfRange } rpc)
        {
            // Already compacted that far: nothing to forget (as the in-memory store). A revision not yet made is the caller's error.
            if (rpc.Status.Detail.Contains("future revision", StringComparison.Ordinal))
                throw new ArgumentOutOfRangeException(nameof(revision), revision, $"revision {revision} has not been made yet");
        }
    }

    public void Dispose()
    {
        if (_disposed.IsCancellationRequested) return;
        _disposed.Cancel();
        _connection.Dispose();
    }

    /// <summary>A lease of <paramref name="ttl"/>: entries put under it go when it is not renewed in time.</summary>
    internal long GrantLease(TimeSpan ttl) =>
        Call("grant a lease", write: true,
            (m, deadline) => m.Lease.LeaseGrant(new LeaseGrantRequest { TTL = (long)Math.Ceiling(ttl.TotalSeconds) }, deadline: deadline)).ID;

    /// <summary>Renews <paramref name="lease"/>; false when it no longer exists (it expired or was revoked).</summary>
    internal bool KeepAlive(long lease) =>
        Call("renew the host's lease", write: false, (m, deadline) => KeepAliveOnce(m, lease, deadline).GetAwaiter().GetResult()) > 0;

    internal void RevokeLease(long lease)
    {
        try
        {
            Call("revoke the host's lease", write: true, (m, deadline) => m.Lease.LeaseRevoke(new LeaseRevokeRequest { ID = lease }, deadline: deadline));
        }
        catch (InvalidOperationException e) when (e.InnerException is RpcException { StatusCode: StatusCode.NotFound })
        {
            // already gone
        }
    }

    /// <summary>LeaseKeepAlive is a stream; one request and its answer renew once (the TTL left, 0 when the lease is gone).</summary>
    private static async Task<long> KeepAliveOnce(EtcdConnection.Member member, long lease, DateTime deadline)
    {
        using var call = member.Lease.LeaseKeepAlive(EtcdConnection.RequireLeader, deadline);
        await call.RequestStream.WriteAsync(new LeaseKeepAliveRequest { ID = lease }).ConfigureAwait(false);
        if (!await call.ResponseStream.MoveNext(CancellationToken.None).ConfigureAwait(false)) return 0;
        long ttl = call.ResponseStream.Current.TTL;
        await call.RequestStream.CompleteAsync().ConfigureAwait(false);
        return ttl;
    }

    private T Call<T>(string what, bool write, Func<EtcdConnection.Member, DateTime, T> call)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        try
        {
            return _connection.Call(what, write, call);
        }
        catch (RpcException e)
        {
            // An answer, not an outage: etcd refused the request itself.
            throw new InvalidOperationException($"{what}: etcd refused it: {e.Status.Detail}", e);
        }
    }

    private static Compare? Compare(ByteString key, long expectedRevision) => expectedRevision switch
    {
        StoreRevisions.Any => null,
        StoreRevisions.Absent => new Compare { Key = key, Target = Etcdserverpb.Compare.Types.CompareTarget.Create, Result = Etcdserverpb.Compare.Types.CompareResult.Equal, CreateRevision = 0 },
        < 0 => throw new ArgumentOutOfRangeException(nameof(expectedRevision), expectedRevision, "an expected revision is a revision, Absent (0) or Any (-1)"),
        _ => new Compare { Key = key, Target = Etcdserverpb.Compare.Types.CompareTarget.Mod, Result = Etcdserverpb.Compare.Types.CompareResult.Equal, ModRevision = expectedRevision },
    };

    private KeyValue? FirstOf(TxnResponse failed) =>
        failed.Responses[0].ResponseRange.Kvs is { Count: > 0 } kvs ? Entry(kvs[0]) : null;

    private KeyValue Entry(Mvccpb.KeyValue kv) => new(_keys.StoreKey(kv.Key), kv.Value.ToStringUtf8(), kv.CreateRevision, kv.ModRevision, kv.Version);

    /// <summary>
    /// The watch: a pump follows etcd into a channel, reconnecting (to the next member) after a failure and
    /// resuming after the last revision it delivered; the reader takes from the channel. Compaction of the
    /// history it needs ends it with <see cref="RevisionCompactedException"/>; disposal of the store ends it.
    /// </summary>
    private async IAsyncEnumerable<WatchEvent> Follow((ByteString Key, ByteString End) range, long afterRevision, [EnumeratorCancellation] CancellationToken cancellation)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation, _disposed.Token);
        var events = Channel.CreateUnbounded<WatchEvent>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var pump = Task.Run(() => Pump(range, afterRevision, events.Writer, stop.Token), CancellationToken.None);
        try
        {
            while (true)
            {
                bool more;
                try
                {
                    more = await events.Reader.WaitToReadAsync(cancellation).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (_disposed.IsCancellationRequested && !cancellation.IsCancellationRequested)
                {
                    more = false;
                }
                if (!more) break;
                while (events.Reader.TryRead(out var change)) yield return change;
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await pump.ConfigureAwait(false);
        }
    }

    private async Task Pump((ByteString Key, ByteString End) range, long afterRevision, ChannelWriter<WatchEvent> events, CancellationToken stop)
    {
        long next = afterRevision + 1;
        var member = _connection.Current;
        Exception? error = null;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using var call = member.Watch.Watch(EtcdConnection.RequireLeader, cancellationToken: stop);
                    await call.RequestStream.WriteAsync(new WatchRequest
                    {
                        CreateRequest = new WatchCreateRequest { Key = range.Key, RangeEnd = range.End, StartRevision = next, PrevKv = true },
                    }, stop).ConfigureAwait(false);
                    while (await call.ResponseStream.MoveNext(stop).ConfigureAwait(false))
                    {
                        var response = call.ResponseStream.Current;
                        // etcd keeps history from its compaction revision on: everything before it is gone.
                        if (response.CompactRevision > 0) throw new RevisionCompactedException(next - 1, response.CompactRevision - 1);
                        if (response.Canceled) break; // cancelled by the member (e.g. it lost its leader): follow elsewhere
                        foreach (var change in response.Events)
                        {
                            events.TryWrite(Change(change));
                            next = Math.Max(next, change.Kv.ModRevision + 1);
                        }
                    }
                }
                catch (RpcException e) when (!stop.IsCancellationRequested && EtcdConnection.IsUnreachable(e))
                {
                    // etcd is away: try the next member after a pause, from the revision after the last one delivered.
                }
                if (stop.IsCancellationRequested) break;
                member = _connection.Next(member);
                await Task.Delay(_connection.Options.RetryInterval, stop).ConfigureAwait(false);
            }
        }
        catch (Exception) when (stop.IsCancellationRequested)
        {
            // the reader stopped or the store was disposed (gRPC reports that as a cancelled call, or a disposed channel)
        }
        catch (Exception e)
        {
            error = e is RpcException rpc ? new InvalidOperationException($"watch: etcd refused it: {rpc.Status.Detail}", rpc) : e;
        }
        events.TryComplete(error);
    }

    private WatchEvent Change(Mvccpb.Event change)
    {
        if (change.Type == Mvccpb.Event.Types.EventType.Delete)
        {
            // The entry as it was (prev_kv); without it (etcd had compacted it away) at least its key.
            var entry = change.PrevKv is { } previous ? Entry(previous) : new KeyValue(_keys.StoreKey(change.Kv.Key), "", 0, change.Kv.ModRevision, 0);
            return new WatchEvent(WatchEventKind.Delete, entry, change.Kv.ModRevision);
        }
        return new WatchEvent(WatchEventKind.Put, Entry(change.Kv), change.Kv.ModRevision);
    }
}
