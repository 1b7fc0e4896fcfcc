using Plexus.Cluster.Etcd;
using Plexus.Cluster.Membership;
using Plexus.Daemon.Config;
using Plexus.Engine.Cluster;
using Plexus.Engine.Store;

namespace Plexus.Daemon.Hosting;

/// <summary>
/// The cluster side of a daemon started with --cluster-store: the global store on etcd and this host's
/// membership. Held by engine interfaces, and made only in <see cref="Start"/>, so the cluster assembly
/// (etcd, gRPC) is loaded only by a daemon that was given a cluster store.
/// </summary>
internal sealed class ClusterRuntime : IDisposable
{
    private ClusterRuntime(IGlobalStore store, IClusterMembership membership)
    {
        Store = store;
        Membership = membership;
    }

    public IGlobalStore Store { get; }
    public IClusterMembership Membership { get; }

    /// <summary>Connects (lazily: etcd may be away) and starts registering this host; returns at once.</summary>
    public static ClusterRuntime Start(ClusterSettings settings, string hostId, ILogger logger)
    {
        var store = new EtcdGlobalStore(new EtcdOptions
        {
            Endpoints = settings.Endpoints,
            Prefix = settings.Prefix,
            CaFile = settings.CaFile,
            CertFile = settings.CertFile,
            KeyFile = settings.KeyFile,
        });
        var membership = new EtcdClusterMembership(store, new ClusterHost(hostId, settings.Advertise, settings.Vtep), EtcdClusterMembership.DefaultLeaseTtl, logger);
        membership.Start();
        return new ClusterRuntime(store, membership);
    }

    public void Dispose()
    {
        // The lease is left to expire rather than revoked: containers outlive the daemon (see EtcdClusterMembership).
        Membership.Dispose();
        Store.Dispose();
    }
}
