using Plexus.Engine.Cluster;
using Plexus.Engine.Model;

namespace Plexus.Engine.Controller;

/// <summary>
/// This host's published state put right after the cluster store was away. A remote store's watch resumes after an
/// outage, so nothing would otherwise notice that this host's own writes failed meanwhile: an endpoint that left keeps
/// its record and its address claim, one that joined has none. So any failed write of this host's state (and this
/// host registering anew, after its lease lapsed) asks both followers to relist; a relist is retried once a second
/// until the store answers, re-programs the remote endpoints from the list (FDB, neighbours, names), and then makes the
/// store's records and claims of this host exactly what it holds (<see cref="ReconcileOwnState"/>).
/// </summary>
public sealed partial class NetworkController
{
    /// <summary>Relists global networks and endpoint records (does not block: the followers do it on their own tasks).</summary>
    private void RequestReconcile()
    {
        _networkFollower?.Relist();
        _endpointFollower?.Relist();
    }

    /// <summary>This host joined again (its lease lapsed while the store was away; others may have freed its claims).</summary>
    private void OnMembershipChanged(object? sender, ClusterChange change)
    {
        if (change.Kind == ClusterChangeKind.Joined && _membership is { } membership && change.Host.Id == membership.Self.Id) RequestReconcile();
    }

    /// <summary>
    /// After a relist of /overlay/endpoints/: this host's records become exactly its joined endpoints of global networks
    /// (missing ones written, all of them once after a start, since a previous run's records belong to its lease, which
    /// expires; records of endpoints it no longer has deleted), and its address claims exactly the addresses it holds.
    /// Throws when the store is away or this host is not registered: the follower lists again.
    /// </summary>
    private void ReconcileOwnState(Dictionary<string, OverlayEndpointRecord> listed)
    {
        if (_membership is not { } membership) return;
        int records = 0;
        var joined = _endpoints.Values.Where(e => e.SandboxId is not null && e.Scope == DataScope.Global).ToList();
        var mine = joined.Select(e => GlobalKeys.Endpoint(e.NetworkId, e.Id)).ToHashSet(StringComparer.Ordinal);
        foreach (var (key, record) in listed)
        {
            if (record.Host != membership.Self.Id || mine.Contains(key)) continue;
            membership.DeleteOwned(key); // a leave while the store was away: the others drop it too
            records++;
        }
        foreach (var endpoint in joined)
        {
            var key = GlobalKeys.Endpoint(endpoint.NetworkId, endpoint.Id);
            if ((_republished && listed.ContainsKey(key)) || !_networks.TryGetValue(endpoint.NetworkId, out var network)) continue;
            var sandbox = endpoint.SandboxId is { } sid && _sandboxes.TryGetValue(sid, out var s) ? s.State : null;
            membership.PutOwned(key, RecordOf(network, endpoint, sandbox, membership)); // throws while unregistered: the follower lists again
            if (_republished) records++;
        }
        _republished = true;
        int claims = _globalIpam?.ReconcileClaims(Logger) ?? 0;
        if (records + claims > 0) ClusterLog.Reconciled(Logger, records, claims);
    }
}
