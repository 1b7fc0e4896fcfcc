using Plexus.Engine.Model;
using Plexus.Kernel.Rtnl;
using Plexus.Kernel.Types;

namespace Plexus.Engine.Drivers.Bridge;

/// <summary>
/// How the bridge driver knows its own bridges: each carries the interface alias "plexus:NETWORK-ID"
/// (IFLA_IFALIAS, `ip link show` prints it), set right after the bridge is created. A name proves nothing:
/// anyone can create or rename a link to "plx-..." or to a user-chosen bridge name, and a link that is not
/// Plexus's is never addressed, enslaved to, or deleted. (The interface group is not used for this: the
/// attach path parks detached veths in a group of their own.)
/// </summary>
internal static class BridgeOwnership
{
    public const string MarkPrefix = "plexus:";

    /// <summary>The alias of the bridge of network <paramref name="networkId"/>.</summary>
    public static string Mark(string networkId) => MarkPrefix + networkId;

    /// <summary>The network id a link's alias names, or null when the link carries no Plexus mark.</summary>
    public static string? MarkedNetwork(Link link) =>
        link.Alias is { } alias && alias.StartsWith(MarkPrefix, StringComparison.Ordinal) ? alias[MarkPrefix.Length..] : null;

    /// <summary>
    /// Why <paramref name="link"/>, found under the network's bridge name, is not that network's bridge; null
    /// when it is. Without the mark, a bridge is still taken as the network's when it carries nothing that is
    /// not Plexus's (no address but the network's gateways, no port but Plexus's veths): one made by a Plexus
    /// from before the marks, or one whose creation a crash cut short before its mark was set.
    /// </summary>
    public static string? WhyNotOurs(Link link, NetworkState network, IEnumerable<IPPrefix> gateways, RtNetlink host)
    {
        if (link.Kind != "bridge")
            return link.Kind is null ? "it is a device, not a bridge" : $"it is a {link.Kind} link, not a bridge";
        var marked = MarkedNetwork(link);
        if (marked == network.Id) return null;
        if (marked is not null) return $"it is marked as the bridge of another network ({link.Alias})";
        if (link.Alias is { Length: > 0 }) return $"it carries the alias '{link.Alias}', not Plexus's mark";
        var allowed = gateways.ToHashSet();
        var address = host.ListAddresses(link.Index).Find(a => !a.Prefix.Address.IsIPv6LinkLocal && !allowed.Contains(a.Prefix));
        if (address is not null) return $"it carries the address {address.Prefix}, which is not this network's gateway";
        var port = host.ListLinks().Find(l => l.MasterIndex == link.Index && !l.Name.StartsWith(BridgeOptions.VethPrefix, StringComparison.Ordinal));
        if (port is not null) return $"it has the port {port.Name}, which is not Plexus's";
        return null;
    }
}
