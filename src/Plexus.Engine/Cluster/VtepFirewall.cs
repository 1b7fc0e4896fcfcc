using System.Net;
using Microsoft.Extensions.Logging;
using Plexus.Kernel.Firewall;
using Plexus.Kernel.Firewall.Nftables;

namespace Plexus.Engine.Cluster;

/// <summary>
/// Keeps the VXLAN source filter (<see cref="VtepFilter"/>) equal to the VTEPs of the cluster's registered hosts,
/// following the member list: a joining host is accepted, a host that left (or whose lease expired) is not.
/// </summary>
public sealed class VtepFirewall : IDisposable
{
    private readonly VtepFilter _filter;
    private readonly IClusterMembership _membership;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();

    public VtepFirewall(VtepFilter filter, IClusterMembership membership, ILogger logger)
    {
        _filter = filter;
        _membership = membership;
        _logger = logger;
        lock (_lock)
        {
            membership.Changed += OnChanged;
            // This host too: its own VXLAN never comes from itself, but another daemon may share its address space in tests.
            _filter.Replace([membership.Self.Vtep, .. membership.Members.Select(m => m.Vtep)]);
        }
    }

    /// <summary>The filter in the host's namespace, following <paramref name="membership"/>; null (logged) when nftables refuses it.</summary>
    public static VtepFirewall? TryStart(Kernel.Namespaces.NetworkNamespace hostNs, ushort port, IClusterMembership membership, ILogger logger)
    {
        VtepFilter? filter = null;
        try
        {
            filter = VtepFilter.Open(hostNs, port);
            return new VtepFirewall(filter, membership, logger);
        }
        catch (FirewallException e)
        {
            filter?.Dispose();
            ClusterLog.VtepFilterFailed(logger, "(all)", $"VXLAN is accepted from any source: {e.Message}");
            return null;
        }
    }

    private void OnChanged(object? sender, ClusterChange change)
    {
        lock (_lock)
        {
            try
            {
                if (change.Kind == ClusterChangeKind.Left)
                {
                    // Another registered host on the same address keeps it accepted.
                    if (!_membership.Members.Any(m => m.Id != change.Host.Id && m.Vtep.Equals(change.Host.Vtep)) && !change.Host.Vtep.Equals(_membership.Self.Vtep))
                        _filter.Remove(change.Host.Vtep);
                }
                else
                {
                    _filter.Add(change.Host.Vtep);
                }
            }
            catch (FirewallException e)
            {
                ClusterLog.VtepFilterFailed(_logger, change.Host.Vtep.ToString(), e.Message);
            }
        }
    }

    public void Dispose()
    {
        _membership.Changed -= OnChanged;
        _filter.Dispose();
    }
}
