using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Plexus.Cluster.Etcd;
using Plexus.Engine.Cluster;
using Plexus.Engine.Store;

namespace Plexus.Cluster.Membership;

/// <summary>
/// Cluster membership on etcd, as flannel keeps its subnet leases: this host's record at /hosts/ID lives
/// under a lease that a keeper renews every third of its TTL; every host lists /hosts/ and watches it from
/// the listed revision, so it sees others join, change and leave (a dead host's lease expires, and etcd
/// deletes its record). Records the host owns (<see cref="PutOwned"/>) share its lease.
/// </summary>
/// <remarks>
/// Two loops, each on its own task. The keeper registers (grant a lease, write the record and the owned
/// records under it) and renews; when the lease is gone (etcd was away longer than the TTL, or the record
/// was deleted) it registers again. The follower lists and watches; after a compaction it lists again and
/// reports the difference. Neither ever gives up while the object lives: etcd being away only delays them.
/// Disposing stops both without revoking the lease, as a crash would (containers outlive the daemon, so
/// others keep reaching them until the TTL runs out); <see cref="Leave"/> revokes it.
/// </remarks>
public sealed partial class EtcdClusterMembership : IClusterMembership
{
    private readonly EtcdGlobalStore _store;
    private readonly TimeSpan _ttl;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, string> _owned = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ClusterHost> _members = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _wake = new(0);
    private long _lease;
    private volatile bool _registered;
    private volatile bool _rewrite;
    private Task _keeper = Task.CompletedTask;
    private Task _follower = Task.CompletedTask;

    public EtcdClusterMembership(EtcdGlobalStore store, ClusterHost self, TimeSpan leaseTtl, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(self);
        if (leaseTtl < TimeSpan.FromSeconds(1)) throw new ArgumentOutOfRangeException(nameof(leaseTtl), leaseTtl, "etcd leases last whole seconds, at least one");
        _store = store;
        Self = self;
        _ttl = leaseTtl;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The lease time of a host's record when none is given: a dead host is noticed within it.</summary>
    public static readonly TimeSpan DefaultLeaseTtl = TimeSpan.FromSeconds(10);

    public ClusterHost Self { get; }

    public bool IsRegistered => _registered;

    /// <summary>The lease this host's records live under (0 before it registers).</summary>
    internal long Lease => Volatile.Read(ref _lease);

    public IReadOnlyCollection<ClusterHost> Members
    {
        get
        {
            lock (_gate) return [.. _members.Values];
        }
    }

    public event EventHandler<ClusterChange>? Changed;

    /// <summary>Starts registering and following; returns at once (etcd may be away).</summary>
    public void Start()
    {
        _keeper = Task.Run(KeepAsync);
        _follower = Task.Run(FollowAsync);
    }

    /// <summary>Waits until this host is registered, or throws when <paramref name="timeout"/> passes first.</summary>
    public async Task WaitRegisteredAsync(TimeSpan timeout)
    {
        using var limit = new CancellationTokenSource(timeout);
        while (!_registered)
        {
            try
            {
                await Task.Delay(50, limit.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                throw new GlobalStoreUnavailableException($"host {Self.Id} could not register in the cluster store (etcd at {_store.Options.Describe()}) within {timeout.TotalSeconds:0.#} s");
            }
        }
    }

    /// <remarks>
    /// The record is this host's from the call on, written or not: when the host is not registered yet (or the put
    /// fails), it is written with the others when the host registers, and the caller still hears of the failure.
    /// </remarks>
    public void PutOwned(string key, string value)
    {
        lock (_gate) _owned[key] = value;
        long lease = Volatile.Read(ref _lease);
        if (lease == 0 || !_registered)
            throw new GlobalStoreUnavailableException($"put {key}: host {Self.Id} is not registered in the cluster store (etcd at {_store.Options.Describe()}) yet; written when it registers");
        _store.Put(key, value, StoreRevisions.Any, lease);
    }

    /// <remarks>Forgotten first, so a registration after a failed delete does not write the record again.</remarks>
    public void DeleteOwned(string key)
    {
        lock (_gate) _owned.Remove(key);
        _store.Delete(key);
    }

    public void Leave()
    {
        Stop();
        long lease = Interlocked.Exchange(ref _lease, 0);
        _registered = false;
        if (lease != 0) _store.RevokeLease(lease);
    }

    public void Dispose()
    {
        // Disposed only once both loops ended (they use them); otherwise the finalizer-free objects are left to the GC.
        if (Stop())
        {
            _stop.Dispose();
            _wake.Dispose();
        }
    }

    /// <summary>Stops both loops; true when they ended in time.</summary>
    private bool Stop()
    {
        if (!_stop.IsCancellationRequested) _stop.Cancel();
        // Each loop ends within one call to etcd, which is bounded by the request timeout. The loops never fault.
        return Task.WaitAll([_keeper, _follower], _store.Options.RequestTimeout * 2);
    }

    private async Task KeepAsync()
    {
        bool reachable = true;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                long lease = Volatile.Read(ref _lease);
                if (lease != 0 && !_store.KeepAlive(lease))
                {
                    LogLeaseLost(_logger, Self.Id, lease);
                    _registered = false;
                    lease = 0;
                }
                if (lease == 0 || _rewrite) Register(lease);
                else _registered = true;
                if (!reachable) LogStoreBack(_logger);
                reachable = true;
            }
            catch (Exception e) when (!_stop.IsCancellationRequested)
            {
                // Whatever failed (etcd away, a refused request), the keeper keeps trying: membership must not end quietly.
                _registered = false;
                if (reachable) LogStoreAway(_logger, e.Message);
                reachable = false;
            }
            catch (Exception)
            {
                break; // stopping: a call cut short by disposal
            }
            var pause = _registered ? _ttl / 3 : _store.Options.RetryInterval;
            try
            {
                await _wake.WaitAsync(pause, _stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                break;
            }
        }
    }

    /// <summary>Writes this host's record and its owned records under <paramref name="lease"/>, or a new lease when 0.</summary>
    private void Register(long lease)
    {
        _rewrite = false;
        bool fresh = lease == 0;
        if (fresh) lease = _store.GrantLease(_ttl);
        _store.Put(HostRecord.Key(Self.Id), HostRecord.Write(Self), StoreRevisions.Any, lease);
        KeyValuePair<string, string>[] owned;
        lock (_gate) owned = [.. _owned];
        foreach (var (key, value) in owned) _store.Put(key, value, StoreRevisions.Any, lease);
        Volatile.Write(ref _lease, lease);
        _registered = true;
        LogRegistered(_logger, Self.Id, Self.Advertise, lease, owned.Length);
    }

    private async Task FollowAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var listed = _store.List(HostRecord.Prefix);
                Reconcile(listed.Entries);
                await foreach (var change in _store.Watch(HostRecord.Prefix, listed.Revision, _stop.Token).ConfigureAwait(false))
                    Apply(change);
            }
            catch (RevisionCompactedException)
            {
                // the history is gone: list again and report what changed meanwhile
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                break; // stopping (a cancelled watch, or a call cut short by disposal)
            }
            catch (Exception e)
            {
                // etcd away, or a handler of Changed failed: list again after a pause rather than stop following.
                if (e is not GlobalStoreUnavailableException) LogFollowFailed(_logger, e.Message);
                try
                {
                    await Task.Delay(_store.Options.RetryInterval, _stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    private void Reconcile(IReadOnlyList<KeyValue> entries)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            if (HostRecord.Read(entry.Value) is not { } host) continue;
            seen.Add(host.Id);
            Upsert(host);
        }
        List<ClusterHost> gone;
        lock (_gate) gone = [.. _members.Values.Where(h => !seen.Contains(h.Id))];
        foreach (var host in gone) Remove(host.Id);
        if (!seen.Contains(Self.Id)) Reregister();
    }

    private void Apply(WatchEvent change)
    {
        if (change.Kind == WatchEventKind.Put)
        {
            if (HostRecord.Read(change.Entry.Value) is { } host) Upsert(host);
            return;
        }
        var id = change.Entry.Key[HostRecord.Prefix.Length..];
        Remove(id);
        if (id == Self.Id) Reregister();
    }

    private void Upsert(ClusterHost host)
    {
        ClusterChangeKind kind;
        lock (_gate)
        {
            if (_members.TryGetValue(host.Id, out var known) && known == host) return;
            kind = known is null ? ClusterChangeKind.Joined : ClusterChangeKind.Updated;
            _members[host.Id] = host;
        }
        if (kind == ClusterChangeKind.Joined) LogJoined(_logger, host.Id, host.Advertise);
        Changed?.Invoke(this, new ClusterChange(kind, host));
    }

    private void Remove(string id)
    {
        ClusterHost? host;
        lock (_gate)
        {
            if (!_members.Remove(id, out host)) return;
        }
        LogLeft(_logger, id);
        Changed?.Invoke(this, new ClusterChange(ClusterChangeKind.Left, host));
    }

    /// <summary>Our own record is gone while we live (the lease expired, or someone deleted it): the keeper writes it again now.</summary>
    private void Reregister()
    {
        if (_stop.IsCancellationRequested || !_registered) return;
        _rewrite = true;
        try
        {
            _wake.Release();
        }
        catch (ObjectDisposedException)
        {
            // stopping
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "cluster: host {Id} registered as {Advertise} (lease {Lease:x}, {Owned} owned records)")]
    private static partial void LogRegistered(ILogger logger, string id, string advertise, long lease, int owned);

    [LoggerMessage(Level = LogLevel.Warning, Message = "cluster: the lease of host {Id} ({Lease:x}) is gone; registering again")]
    private static partial void LogLeaseLost(ILogger logger, string id, long lease);

    [LoggerMessage(Level = LogLevel.Warning, Message = "cluster: {Error}; retrying")]
    private static partial void LogStoreAway(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "cluster: the cluster store answers again")]
    private static partial void LogStoreBack(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "cluster: following the member list failed: {Error}; listing again")]
    private static partial void LogFollowFailed(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "cluster: host {Id} ({Advertise}) joined")]
    private static partial void LogJoined(ILogger logger, string id, string advertise);

    [LoggerMessage(Level = LogLevel.Information, Message = "cluster: host {Id} left")]
    private static partial void LogLeft(ILogger logger, string id);
}
