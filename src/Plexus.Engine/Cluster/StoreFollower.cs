using Microsoft.Extensions.Logging;
using Plexus.Engine.Store;

namespace Plexus.Engine.Cluster;

/// <summary>
/// Follows the keys under one prefix of the global store: lists them, hands the whole list over (the consumer
/// makes its state exactly that), then applies each change from the listed revision on. Lists again after a
/// compaction, after any failure (the store unreachable, a handler's error) once a second, and when asked to
/// (<see cref="Relist"/>), until disposed: a consumer converges on the store's content whatever happened meanwhile.
/// </summary>
/// <remarks>
/// A remote store's watch outlives an outage (it resumes after the last change it delivered), so the follower alone
/// never notices one. The consumer does, when its own writes fail: it asks for a relist, which is tried once a second
/// until the store answers, and the list handler is where the consumer puts its own published state right.
/// </remarks>
public sealed class StoreFollower : IDisposable
{
    private static readonly TimeSpan Retry = TimeSpan.FromSeconds(1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private CancellationTokenSource? _watching;
    private bool _relist;
    private readonly Task _loop;

    /// <param name="listed">Called with every entry under the prefix, after a (re)list.</param>
    /// <param name="changed">Called for each change after the list, in order.</param>
    public StoreFollower(IGlobalStore store, string prefix, Action<IReadOnlyList<KeyValue>> listed, Action<WatchEvent> changed, ILogger logger)
    {
        _loop = Task.Run(() => RunAsync(store, prefix, listed, changed, logger));
    }

    /// <summary>Ends the current watch and lists again (retried once a second while the store is away). Does not block.</summary>
    public void Relist()
    {
        lock (_gate)
        {
            _relist = true;
            if (_watching is { IsCancellationRequested: false } watching) watching.Cancel();
        }
    }

    private async Task RunAsync(IGlobalStore store, string prefix, Action<IReadOnlyList<KeyValue>> listed, Action<WatchEvent> changed, ILogger logger)
    {
        var token = _stop.Token;
        bool failing = false;
        while (!token.IsCancellationRequested)
        {
            using var watching = CancellationTokenSource.CreateLinkedTokenSource(token);
            lock (_gate)
            {
                _watching = watching;
                _relist = false;
            }
            try
            {
                var range = store.List(prefix);
                listed(range.Entries);
                failing = false;
                lock (_gate)
                    if (_relist) continue; // asked again while listing: the list may predate what prompted it
                await foreach (var change in store.Watch(prefix, range.Revision, watching.Token).ConfigureAwait(false)) changed(change);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (OperationCanceledException) when (watching.IsCancellationRequested)
            {
                continue; // Relist: list again now
            }
            catch (RevisionCompactedException)
            {
                continue; // list again: the history the watch needed is gone
            }
            catch (Exception e) when (e is not OperationCanceledException || !token.IsCancellationRequested)
            {
                // Logged once per outage, not once a second.
                if (!failing) ClusterLog.FollowFailed(logger, prefix, e.Message);
                failing = true;
            }
            finally
            {
                lock (_gate) _watching = null;
            }
            try
            {
                await Task.Delay(Retry, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
        _stop.Dispose();
    }
}

/// <summary>What the engine's cluster side logs.</summary>
internal static partial class ClusterLog
{
    [LoggerMessage(EventId = 1701, Level = LogLevel.Warning, Message = "following {Prefix} in the cluster store failed, trying again: {Error}")]
    public static partial void FollowFailed(ILogger logger, string prefix, string error);

    [LoggerMessage(EventId = 1702, Level = LogLevel.Warning, Message = "global network {Name}: {Error}")]
    public static partial void AdoptFailed(ILogger logger, string name, string error);

    [LoggerMessage(EventId = 1703, Level = LogLevel.Warning, Message = "endpoint record {Key}: {Error}")]
    public static partial void EndpointRecordFailed(ILogger logger, string key, string error);

    [LoggerMessage(EventId = 1705, Level = LogLevel.Warning, Message = "VXLAN source filter: VTEP {Vtep}: {Error}")]
    public static partial void VtepFilterFailed(ILogger logger, string vtep, string error);

    [LoggerMessage(EventId = 1704, Level = LogLevel.Information, Message = "global network {Name} ({Id}) {Change} from the cluster store")]
    public static partial void GlobalNetworkSynced(ILogger logger, string name, string id, string change);

    [LoggerMessage(EventId = 1706, Level = LogLevel.Warning, Message = "address claim {Key}: {Error}")]
    public static partial void ClaimFailed(ILogger logger, string key, string error);

    [LoggerMessage(EventId = 1708, Level = LogLevel.Information, Message = "network {Name}: subnet {Subnet} overlaps subnet {Other} of global network {OtherName}, recorded by another host meanwhile; picking another subnet")]
    public static partial void SubnetPickedAgain(ILogger logger, string name, System.Net.IPNetwork subnet, string other, string otherName);

    [LoggerMessage(EventId = 1707, Level = LogLevel.Information, Message = "cluster store: reconciled this host's published state ({Records} endpoint records and {Claims} address claims put right)")]
    public static partial void Reconciled(ILogger logger, int records, int claims);
}
