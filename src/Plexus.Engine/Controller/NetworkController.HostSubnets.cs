using System.Net;
using Plexus.Engine.Ipam;
using Plexus.Engine.Model;

namespace Plexus.Engine.Controller;

public sealed partial class NetworkController
{
    /// <summary>
    /// Refuses a user's subnet that overlaps a subnet the host's own interfaces are on (their addresses, and
    /// IPv4 on-link routes, as Docker infers "reserved" networks). A bridge on such a subnet takes the host's
    /// route to its neighbours: the host loses them, and the sandboxes never reach them. Docker keeps only its
    /// default pools clear of these and lets a user's --subnet break the host; Plexus refuses it and says
    /// which interface holds it. Plexus's own bridges are not the host's (their overlaps are IPAM's to report),
    /// nor is the bridge this network names for itself (a leftover it will take over).
    /// </summary>
    private void CheckHostOverlap(NetworkCreateRequest request)
    {
        var subnets = request.IpamConfigs.Where(c => c.Subnet is not null).Select(c => c.Subnet!.Value).ToList();
        if (subnets.Count == 0) return;
        var ours = _networks.Values.SelectMany(n => n.Subnets).Select(s => s.Subnet).ToHashSet();
        request.Options.TryGetValue(Drivers.Bridge.BridgeOptions.BridgeName, out var ownBridge);
        var names = _host.ListLinks().ToDictionary(l => l.Index, l => l.Name);
        string NameOf(int index) => names.TryGetValue(index, out var n) ? n : $"#{index}";

        var held = new List<(IPNetwork Prefix, string What)>();
        foreach (var address in _host.ListAddresses())
        {
            var ip = address.Prefix.Address;
            if (IPAddress.IsLoopback(ip) || ip.IsIPv6LinkLocal) continue;
            held.Add((address.Prefix.Network, $"{address.Prefix} on the host's interface {NameOf(address.Index)}"));
        }
        foreach (var route in _host.ListRoutes(ipVersion: 4, table: null))
        {
            if (route.IsDefault || route.Type != Kernel.Rtnl.RouteType.Unicast || route.EffectiveScope != Kernel.Rtnl.RouteScope.Link || route.OutputIndex is not { } index)
                continue;
            held.Add((route.Destination.Network, $"the host's route {route.Destination.Network} on interface {NameOf(index)}"));
        }
        foreach (var subnet in subnets)
        {
            foreach (var (prefix, what) in held)
            {
                if (ours.Contains(prefix) || (ownBridge is { Length: > 0 } && what.EndsWith($" {ownBridge}", StringComparison.Ordinal))) continue;
                if (IPMath.Overlaps(prefix, subnet))
                    throw PlexusException.Conflict(
                        $"network {request.Name}: subnet {subnet} overlaps {what}: a bridge there would take the host's route to that subnet; choose another subnet");
            }
        }
    }
}
