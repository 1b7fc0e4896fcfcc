using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
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
            return RevisionOf(Call("read the store's revision", write: false,
                (m, deadline) => m.Post("/v3/kv/range", new RangeRequest { Key = key, RangeEnd = end, CountOnly = true }, EtcdJson.Default.RangeRequest, EtcdJson.Default.RangeResponse, deadline)).Header);
        }
    }

    public KeyValue? Get(string key)
    {
        var etcdKey = _keys.Key(key);
        var response = Call($"get {key}", write: false,
            (m, deadline) => m.Post("/v3/kv/range", new RangeRequest { Key = etcdKey }, EtcdJson.Default.RangeRequest, EtcdJson.Default.RangeResponse, deadline));
        return response.Kvs is { Count: > 0 } kvs ? Entry(kvs[0]) : null;
    }

    public StoreRange List(string prefix)
    {
        var (key, end) = _keys.Range(prefix);
        var response = Call($"list {prefix}", write: false,
            (m, deadline) => m.Post("/v3/kv/range", new RangeRequest { Key = key, RangeEnd = end, SortOrder = "ASCEND", SortTarget = "KEY" },
                EtcdJson.Default.RangeRequest, EtcdJson.Default.RangeResponse, deadline));
        return new StoreRange([.. (response.Kvs ?? []).Select(Entry)], RevisionOf(response.Header));
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
        txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = etcdKey, Value = Encoding.UTF8.GetBytes(value), Lease = lease, PrevKv = true } });
        txn.Failure.Add(new RequestOp { RequestRange = new RangeRequest { Key = etcdKey } });
        var response = Txn($"put {key}", txn);
        long revision = RevisionOf(response.Header);
        if (!response.Succeeded) return new CasResult(false, revision, FirstOf(response));
        var previous = response.Responses is [{ ResponsePut.PrevKv: { } kv }, ..] ? kv : null;
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
        var response = Txn($"delete {key}", txn);
        return response.Succeeded
            ? new CasResult(true, RevisionOf(response.Header), null)
            : new CasResult(false, RevisionOf(response.Header), FirstOf(response));
    }

    public IAsyncEnumerable<WatchEvent> Watch(string prefix, long afterRevision, CancellationToken cancellation = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(afterRevision);
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        return Follow(_keys.Range(prefix), afterRevision, cancellation);
    }

    public void Compact(long revision)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(revision);
        try
        {
            // physical: returns once the history is gone, so a watch made right after sees the compaction.
            Call($"compact to revision {revision}", write: true,
                (m, deadline) => m.Post("/v3/kv/compaction", new CompactionRequest { Revision = revision, Physical = true },
                    EtcdJson.Default.CompactionRequest, EtcdJson.Default.HeaderResponse, deadline));
        }
        catch (InvalidOperationException e) when (e.InnerException is EtcdRefusedException { Code: EtcdRefusedException.OutOfRange } refused)
        {
            // Already compacted that far: nothing to forget (as the in-memory store). A revision not yet made is the caller's error.
            if (refused.Message.Contains("future revision", StringComparison.Ordinal))
                throw new ArgumentOutOfRangeException(nameof(revision), revision, $"revision {revision} has not been made yet");
        }
    }

    public void Dispose()
    {
        if (_disposed.IsCancellationRequested) return;
        _disposed.Cancel();
    }

    /// <summary>A lease of <paramref name="ttl"/>: entries put under it go when it is not renewed in time.</summary>
    internal long GrantLease(TimeSpan ttl)
    {
        var granted = Call("grant a lease", write: true,
            (m, deadline) => m.Post("/v3/lease/grant", new LeaseGrantRequest { Ttl = (long)Math.Ceiling(ttl.TotalSeconds) },
                EtcdJson.Default.LeaseGrantRequest, EtcdJson.Default.LeaseResponse, deadline));
        if (!string.IsNullOrEmpty(granted.Error) || granted.Id == 0)
            throw new InvalidOperationException($"grant a lease: etcd refused it: {(string.IsNullOrEmpty(granted.Error) ? "no lease ID in its answer" : granted.Error)}");
        return granted.Id;
    }

    /// <summary>Renews <paramref name="lease"/>; false when it no longer exists (it expired or was revoked).</summary>
    internal bool KeepAlive(long lease) =>
        Call("renew the host's lease", write: false, (m, deadline) => KeepAliveOnce(m, lease, deadline)) > 0;

    internal void RevokeLease(long lease)
    {
        try
        {
            Call("revoke the host's lease", write: true,
                (m, deadline) => m.Post("/v3/lease/revoke", new LeaseIdRequest { Id = lease }, EtcdJson.Default.LeaseIdRequest, EtcdJson.Default.HeaderResponse, deadline));
        }
        catch (InvalidOperationException e) when (e.InnerException is EtcdRefusedException { Code: EtcdRefusedException.NotFound })
        {
            // already gone
        }
    }

    /// <summary>
    /// LeaseKeepAlive is a stream; one request and its answer renew once (the TTL left, 0 when the lease is gone).
    /// The gateway ends the stream after that answer, as its request body has ended.
    /// </summary>
    private static long KeepAliveOnce(EtcdMember member, long lease, CancellationToken deadline)
    {
        using var answer = member.OpenStream("/v3/lease/keepalive", new LeaseIdRequest { Id = lease }, EtcdJson.Default.LeaseIdRequest, deadline);
        var message = EtcdMember.ReadMessage(answer.Body, new MessageBuffer());
        if (message is null) return 0;
        var renewed = EtcdMember.Parse(message, EtcdJson.Default.StreamedLease);
        if (renewed?.Error is { } error) throw EtcdRefusedException.From(error.GrpcCode, error.Message ?? $"status {error.GrpcCode}");
        return renewed?.Result?.Ttl ?? 0;
    }

    private TxnResponse Txn(string what, TxnRequest txn) =>
        Call(what, write: true, (m, deadline) => m.Post("/v3/kv/txn", txn, EtcdJson.Default.TxnRequest, EtcdJson.Default.TxnResponse, deadline));

    /// <summary>An answer's revision; every answer of etcd's has its header.</summary>
    private static long RevisionOf(ResponseHeader? header) =>
        header?.Revision is > 0 and var revision ? revision : throw new InvalidOperationException("etcd's answer has no revision in its header");

    private T Call<T>(string what, bool write, Func<EtcdMember, CancellationToken, T> call)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        try
        {
            return _connection.Call(what, write, call);
        }
        catch (EtcdRefusedException e)
        {
            // An answer, not an outage: etcd refused the request itself.
            throw new InvalidOperationException($"{what}: etcd refused it: {e.Message}", e);
        }
    }

    private static Compare? Compare(byte[] key, long expectedRevision) => expectedRevision switch
    {
        StoreRevisions.Any => null,
        StoreRevisions.Absent => new Compare { Key = key, Target = "CREATE", CreateRevision = 0 },
        < 0 => throw new ArgumentOutOfRangeException(nameof(expectedRevision), expectedRevision, "an expected revision is a revision, Absent (0) or Any (-1)"),
        _ => new Compare { Key = key, Target = "MOD", ModRevision = expectedRevision },
    };

    private KeyValue? FirstOf(TxnResponse failed) =>
        failed.Responses is [{ ResponseRange.Kvs: [var kv, ..] }, ..] ? Entry(kv) : null;

    internal string StoreKeyOf(EtcdKeyValue kv) => _keys.StoreKey(kv.Key);

    internal KeyValue Entry(EtcdKeyValue kv) =>
        new(_keys.StoreKey(kv.Key), Encoding.UTF8.GetString(kv.Value ?? []), kv.CreateRevision, kv.ModRevision, kv.Version);

    /// <summary>
    /// The watch: a pump (<see cref="EtcdWatch"/>) follows etcd into a channel, reconnecting (to the next member)
    /// after a failure and resuming after the last revision it delivered; the reader takes from the channel.
    /// Compaction of the history it needs ends it with <see cref="RevisionCompactedException"/>; disposal of the
    /// store ends it.
    /// </summary>
    private async IAsyncEnumerable<WatchEvent> Follow((byte[] Key, byte[] End) range, long afterRevision, [EnumeratorCancellation] CancellationToken cancellation)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation, _disposed.Token);
        var events = Channel.CreateUnbounded<WatchEvent>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var pump = EtcdWatch.Start(_connection, this, range, afterRevision, events.Writer, stop.Token);
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
}
