using System.Net;

namespace Plexus.Engine.Cluster;

/// <summary>
/// One host of the cluster as it registered itself: its id (the daemon's stable id), the address it
/// advertises (--cluster-advertise, "IP" or "IP:PORT") and the VTEP address overlay traffic is sent to
/// (the advertised IP).
/// </summary>
public sealed record ClusterHost(string Id, string Advertise, IPAddress Vtep);
