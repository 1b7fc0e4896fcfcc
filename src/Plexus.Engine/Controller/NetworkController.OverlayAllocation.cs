using System.Globalization;
using Plexus.Engine.Cluster;
using Plexus.Engine.Drivers.Overlay;
using Plexus.Engine.Ipam;
using Plexus.Engine.Model;
using Plexus.Engine.Store;

namespace Plexus.Engine.Controller;

/// <summary>
/// What a global network takes cluster-wide when it is made: its subnets (in this host's IPAM and in /ipam/pools) and
/// its VXLAN id (/overlay/vni/N), each by compare-and-swap so two hosts never take one.
/// </summary>
public sealed partial class NetworkController
{
    /// <summary>Docker's overlay driver starts VXLAN ids above 4096 (below them, VLAN ids could be mistaken for them).</summary>
    private const uint FirstVni = 4097;

    /// <summary>How often a subnet picked from the default pools is picked again after another host took it first.</summary>
    private const int SubnetPicks = 16;

    /// <summary>
    /// The network's subnets, in this host's IPAM (refused when they overlap a local network) and in /ipam/pools (refused
    /// when they overlap another global network). A subnet the request gave is refused on overlap; one picked from the
    /// default pools avoids every global subnet known, and when another host recorded an overlapping one meanwhile (two
    /// creates at once picking the same free subnet) it is picked again. On failure nothing is left in either place.
    /// </summary>
    private IReadOnlyList<SubnetState> AddGlobalSubnets(NetworkState state, IReadOnlyList<IpamRequest> requests, GlobalIpam globalIpam)
    {
        var given = requests.Where(r => r.Subnet is not null).Select(r => r.Subnet!.Value).ToHashSet();
        for (int pick = 1; ; pick++)
        {
            // Global subnets this host has not adopted yet are not in its IPAM: a pick avoids them too.
            List<System.Net.IPNetwork> avoid = [.. HostPrefixes(), .. globalIpam.GlobalSubnets()];
            var subnets = _ipam.AddNetwork(state.Id, state.Name, requests, state.EnableIPv6, state.IpamOptions, avoid, state.IpamDriver, DataScope.Global);
            PoolOverlap? overlap;
            try
            {
                overlap = globalIpam.TryAddPools(state.Id, state.Name, subnets);
            }
            catch
            {
                _ipam.RemoveNetwork(state.Id);
                throw;
            }
            if (overlap is null) return subnets;
            _ipam.RemoveNetwork(state.Id);
            if (given.Contains(overlap.Subnet) || pick == SubnetPicks) throw PlexusException.Conflict(overlap.Describe(state.Name));
            ClusterLog.SubnetPickedAgain(Logger, state.Name, overlap.Subnet, overlap.Pool.Subnet, overlap.Pool.Name);
        }
    }

    /// <summary>
    /// The VXLAN id the request asks for with Docker's option (-o com.docker.network.driver.overlay.vxlanid_list=N), or
    /// 0 for one allocated. One id per network: the network has one VXLAN device whatever its subnets.
    /// </summary>
    private static uint RequestedVni(IReadOnlyDictionary<string, string> options)
    {
        if (!options.TryGetValue(OverlayOptions.VxlanId, out var text)) return 0;
        var ids = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (ids.Length > 1)
            throw PlexusException.Invalid($"invalid {OverlayOptions.VxlanId} '{text}': an overlay network has one VXLAN id (its subnets share one VXLAN device)");
        if (ids.Length == 0 || !uint.TryParse(ids[0], NumberStyles.None, CultureInfo.InvariantCulture, out var vni) || vni is 0 or > OverlayOptions.MaxVni)
            throw PlexusException.Invalid($"invalid {OverlayOptions.VxlanId} '{text}': a VXLAN id is 1 to {OverlayOptions.MaxVni}");
        return vni;
    }

    /// <summary>Takes VXLAN id <paramref name="vni"/> for the network, or refuses (409) naming the network that holds it.</summary>
    private uint ClaimVni(IGlobalStore store, uint vni, string networkId)
    {
        var claimed = store.Put(GlobalKeys.Vni(vni), networkId, StoreRevisions.Absent);
        if (claimed.Succeeded) return vni;
        var holder = claimed.Current?.Value ?? "";
        var name = _networks.TryGetValue(holder, out var known) ? known.Name : holder.Length >= 12 ? Ids.Short(holder) : holder;
        throw PlexusException.Conflict($"VXLAN id {vni} ({OverlayOptions.VxlanId}) is already used by network {name}");
    }

    /// <summary>The lowest free VXLAN id, taken by creating its key only if absent (another host may take it first: then the next).</summary>
    private static uint AllocateVni(IGlobalStore store, string networkId)
    {
        var used = store.List(GlobalKeys.Vnis).Entries
            .Select(e => uint.TryParse(e.Key[GlobalKeys.Vnis.Length..], CultureInfo.InvariantCulture, out var v) ? v : 0)
            .ToHashSet();
        for (uint vni = FirstVni; vni <= OverlayOptions.MaxVni; vni++)
        {
            if (used.Contains(vni)) continue;
            if (store.Put(GlobalKeys.Vni(vni), networkId, StoreRevisions.Absent).Succeeded) return vni;
        }
        throw new PlexusException(ErrorKind.Conflict, "no free VXLAN id left in the cluster");
    }
}
