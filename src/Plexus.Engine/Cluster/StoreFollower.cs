using Microsoft.Extensions.Logging;
using Plexus.Engine.Store;

namespace Plexus.Engine.Cluster;

/// <summary>
/// Follows the keys under one prefix of the global store: lists them, hands the whole list over (the consumer
/// makes its state exactly that), then applies each change from the listed revision on. Lists again after a
/// compaction, and after any failure (the store unreachable, a handler's error) once a second, until disposed: a
/// consumer converges on the store's content whatever happened meanwhile.
/// </summary>
public sealed class StoreFollower : IDisposable
{
    private static readonly TimeSpan Retry = TimeSpan.FromSeconds(1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    /// <param name="listed">Called with every entry under the prefix, after a (re)list.</param>
    /// <param name="changed">Called for each change after the list, in order.</param>
    public StoreFollower(IGlobalStore store, string prefix, Action<IReadOnlyList<KeyValue>> listed, Action<WatchEvent> changed, ILogger logger)
    {
        _loop = Task.Run(() => RunAsync(store, prefix, listed, changed, logger));
    }

    private async Task RunAsync(IGlobalStore store, string prefix, Action<IReadOnlyList<KeyValue>> listed, Action<WatchEvent> changed, ILogger logger)
    {
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                var range = store.List(prefix);
                listed(range.Entries);
                await foreach (var change in store.Watch(prefix, range.Revision, token).ConfigureAwait(false)) changed(change);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (RevisionCompactedException)
            {
                continue; // list again: the history the watch needed is gone
            }
            catch (Exception e) when (e is not OperationCanceledException || !token.IsCancellationRequested)
            {
                ClusterLog.FollowFailed(logger, prefix, e.Message);
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
}
