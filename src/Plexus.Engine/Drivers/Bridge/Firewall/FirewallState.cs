using System.Collections.Immutable;
using Plexus.Kernel.Firewall;

namespace Plexus.Engine.Drivers.Bridge.Firewall;

/// <summary>
/// Everything the firewall enforces, as one immutable value: the networks, the published ports and the
/// links. A backend's rules are a function of this value; re-applying it restores exactly those rules.
/// </summary>
public sealed class FirewallState : IFirewallState
{
    public static FirewallState Empty { get; } = new(
        ImmutableSortedDictionary<string, BridgeRules>.Empty.WithComparers(StringComparer.Ordinal),
        ImmutableDictionary<(bool, System.Net.IPAddress?, TransportProtocol, int), PortMapping>.Empty,
        ImmutableDictionary<string, ImmutableHashSet<PortMapping>>.Empty.WithComparers(StringComparer.Ordinal),
        ImmutableDictionary<(System.Net.IPAddress, System.Net.IPAddress, TransportProtocol, int), LinkRule>.Empty,
        ImmutableSortedDictionary<string, BridgePort>.Empty.WithComparers(StringComparer.Ordinal),
        ImmutableDictionary<(string, object), string>.Empty);

    internal FirewallState(
        ImmutableSortedDictionary<string, BridgeRules> networks,
        ImmutableDictionary<(bool, System.Net.IPAddress?, TransportProtocol, int), PortMapping> ports,
        ImmutableDictionary<string, ImmutableHashSet<PortMapping>> portsByTag,
        ImmutableDictionary<(System.Net.IPAddress, System.Net.IPAddress, TransportProtocol, int), LinkRule> links,
        ImmutableSortedDictionary<string, BridgePort> bridgePorts,
        ImmutableDictionary<(string, object), string> bridgeClaims)
    {
        BridgeClaims = bridgeClaims;
        NetworksByTag = networks;
        PortsByBinding = ports;
        PortsByTag = portsByTag;
        LinksByFlow = links;
        BridgePortsByName = bridgePorts;
    }

    /// <summary>Networks by tag, in tag order.</summary>
    public IReadOnlyDictionary<string, BridgeRules> Networks => NetworksByTag;

    public IReadOnlyCollection<PortMapping> Ports => new Values<PortMapping>(PortsByBinding.Count, PortsByBinding.Values);

    /// <summary>An endpoint's published ports (by its tag); none for an endpoint without any.</summary>
    public IReadOnlyCollection<PortMapping> PortsOf(string endpointTag) =>
        PortsByTag.TryGetValue(endpointTag, out var ports) ? ports : ImmutableHashSet<PortMapping>.Empty;

    public IReadOnlyCollection<LinkRule> Links => new Values<LinkRule>(LinksByFlow.Count, LinksByFlow.Values);

    /// <summary>Endpoints' bridge ports by port name, in name order.</summary>
    public IReadOnlyDictionary<string, BridgePort> BridgePorts => BridgePortsByName;

    public bool IsEmpty => NetworksByTag.IsEmpty && PortsByBinding.IsEmpty && LinksByFlow.IsEmpty && BridgePortsByName.IsEmpty;

    internal ImmutableSortedDictionary<string, BridgeRules> NetworksByTag { get; }

    internal ImmutableDictionary<(bool, System.Net.IPAddress?, TransportProtocol, int), PortMapping> PortsByBinding { get; }

    /// <summary>
    /// Endpoint tag to that endpoint's ports, exactly <see cref="PortsByBinding"/>'s values grouped by tag (no empty
    /// sets): a leave removes its endpoint's ports in proportion to them, not to every port of the daemon. Every state
    /// is made by a <see cref="FirewallChange"/>, which keeps the two in step; a failed transaction keeps the old state.
    /// </summary>
    internal ImmutableDictionary<string, ImmutableHashSet<PortMapping>> PortsByTag { get; }

    internal ImmutableDictionary<(System.Net.IPAddress, System.Net.IPAddress, TransportProtocol, int), LinkRule> LinksByFlow { get; }

    internal ImmutableSortedDictionary<string, BridgePort> BridgePortsByName { get; }

    /// <summary>(network, MAC or address) to the bridge port that owns it: a join checks its claims in constant time.</summary>
    internal ImmutableDictionary<(string Network, object Claim), string> BridgeClaims { get; }

    /// <summary>
    /// A checked state: every port, link and bridge port belongs to a known network, no two ports claim one binding,
    /// no two bridge ports one name, MAC or address on a network.
    /// </summary>
    public static FirewallState Create(IEnumerable<BridgeRules> networks, IEnumerable<PortMapping> ports, IEnumerable<LinkRule> links,
        IEnumerable<BridgePort>? bridgePorts = null)
    {
        ArgumentNullException.ThrowIfNull(networks);
        ArgumentNullException.ThrowIfNull(ports);
        ArgumentNullException.ThrowIfNull(links);
        var change = new FirewallChange(Empty);
        foreach (var n in networks) change.AddNetwork(n);
        foreach (var p in ports) change.AddPort(p);
        foreach (var l in links) change.AddLink(l);
        foreach (var b in bridgePorts ?? []) change.AddBridgePort(b);
        return change.Finish().After;
    }

    /// <summary>Ports in a stable order (network, endpoint, binding) for rendering.</summary>
    internal IEnumerable<PortMapping> OrderedPorts => OrderPorts(PortsByBinding.Values);

    internal IEnumerable<LinkRule> OrderedLinks => OrderLinks(LinksByFlow.Values);

    internal static IEnumerable<PortMapping> OrderPorts(IEnumerable<PortMapping> ports) =>
        ports.OrderBy(p => p.Network, StringComparer.Ordinal).ThenBy(p => p.Tag, StringComparer.Ordinal)
            .ThenBy(p => p.IsIPv6).ThenBy(p => p.Protocol).ThenBy(p => p.HostPort)
            .ThenBy(p => p.HostIP?.ToString() ?? "", StringComparer.Ordinal);

    internal static IEnumerable<LinkRule> OrderLinks(IEnumerable<LinkRule> links) =>
        links.OrderBy(l => l.Network, StringComparer.Ordinal).ThenBy(l => l.Tag, StringComparer.Ordinal)
            .ThenBy(l => l.IsIPv6).ThenBy(l => l.SourceIP.ToString(), StringComparer.Ordinal)
            .ThenBy(l => l.DestIP.ToString(), StringComparer.Ordinal).ThenBy(l => l.Protocol).ThenBy(l => l.Port);

    internal static IEnumerable<BridgePort> OrderBridgePorts(IEnumerable<BridgePort> ports) =>
        ports.OrderBy(p => p.PortName, StringComparer.Ordinal);

    public override string ToString() =>
        $"{NetworksByTag.Count} networks, {PortsByBinding.Count} ports, {LinksByFlow.Count} links, {BridgePortsByName.Count} bridge ports";

    /// <summary>A dictionary's values as a read-only collection, without copying them.</summary>
    private sealed class Values<T>(int count, IEnumerable<T> items) : IReadOnlyCollection<T>
    {
        public int Count => count;

        public IEnumerator<T> GetEnumerator() => items.GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
