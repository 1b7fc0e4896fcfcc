namespace Plexus.Engine.Cluster;

/// <summary>
/// This host's place in the cluster: it registers itself in the global store under a lease it keeps
/// alive, follows the other hosts' registrations, and owns records that live exactly as long as its
/// registration (a dead host's records expire with its lease). Engine terms only: the store behind it
/// (etcd) is the cluster assembly's business.
/// </summary>
/// <remarks>
/// Registration and the member list recover by themselves: when the store is unreachable the host keeps
/// trying, and when its lease was lost (it expired while the store was away) it registers again under a
/// new one and writes its owned records again.
/// </remarks>
public interface IClusterMembership : IDisposable
{
    /// <summary>This host.</summary>
    ClusterHost Self { get; }

    /// <summary>Whether this host's registration is in the store now (false while the store is unreachable or the lease is being renewed).</summary>
    bool IsRegistered { get; }

    /// <summary>The hosts registered now, this one included once it is, as last seen by the member watch.</summary>
    IReadOnlyCollection<ClusterHost> Members { get; }

    /// <summary>Raised, in order, from the member watch for each host that joins, changes or leaves. Handlers must not block.</summary>
    event EventHandler<ClusterChange>? Changed;

    /// <summary>
    /// Writes a record that belongs to this host (an endpoint record, say) under its lease: it disappears
    /// when the host dies and is written again after the host registers anew. Fails fast when the store is unreachable.
    /// </summary>
    void PutOwned(string key, string value);

    /// <summary>Deletes a record written by <see cref="PutOwned"/> and stops re-creating it.</summary>
    void DeleteOwned(string key);

    /// <summary>Leaves the cluster now (revokes the lease: the host's record and owned records go at once), rather than by expiry.</summary>
    void Leave();
}
