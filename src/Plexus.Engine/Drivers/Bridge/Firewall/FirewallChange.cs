using System.Collections.Immutable;
using Plexus.Kernel.Firewall;

namespace Plexus.Engine.Drivers.Bridge.Firewall;

/// <summary>
/// A transaction's operations applied to a state: the state after, and exactly what differs from the
/// state before (net of operations that cancel out), so a backend's work is proportional to the change,
/// not to the number of ports or links already in place.
/// </summary>
public sealed class FirewallChange : IFirewallChange<FirewallState>
{
    private readonly ImmutableSortedDictionary<string, BridgeRules>.Builder _networks;
    private readonly ImmutableDictionary<(bool, System.Net.IPAddress?, TransportProtocol, int), PortMapping>.Builder _ports;
    private readonly ImmutableDictionary<(System.Net.IPAddress, System.Net.IPAddress, TransportProtocol, int), LinkRule>.Builder _links;
    private readonly ImmutableDictionary<string, ImmutableHashSet<PortMapping>>.Builder _portsByTag;
    private readonly Dictionary<string, ImmutableHashSet<PortMapping>.Builder> _tagPorts = new(StringComparer.Ordinal);
    private readonly HashSet<PortMapping> _portsAdded = [];
    private readonly HashSet<PortMapping> _portsRemoved = [];
    private readonly HashSet<LinkRule> _linksAdded = [];
    private readonly HashSet<LinkRule> _linksRemoved = [];
    private readonly ImmutableSortedDictionary<string, BridgePort>.Builder _bridgePorts;
    private readonly ImmutableDictionary<(string, object), string>.Builder _bridgeClaims;
    private readonly HashSet<BridgePort> _bridgePortsAdded = [];
    private readonly HashSet<BridgePort> _bridgePortsRemoved = [];
    private readonly HashSet<string> _touchedNetworks = new(StringComparer.Ordinal);

    internal FirewallChange(FirewallState before)
    {
        Before = before;
        After = before;
        _networks = before.NetworksByTag.ToBuilder();
        _ports = before.PortsByBinding.ToBuilder();
        _portsByTag = before.PortsByTag.ToBuilder();
        _links = before.LinksByFlow.ToBuilder();
        _bridgePorts = before.BridgePortsByName.ToBuilder();
        _bridgeClaims = before.BridgeClaims.ToBuilder();
    }

    public FirewallState Before { get; }

    public FirewallState After { get; private set; }

    /// <summary>Networks that are new, or whose rules changed (the new version).</summary>
    public IReadOnlyList<BridgeRules> NetworksAdded { get; private set; } = [];

    /// <summary>Networks that are gone, or whose rules changed (the old version).</summary>
    public IReadOnlyList<BridgeRules> NetworksRemoved { get; private set; } = [];

    public IReadOnlyCollection<PortMapping> PortsAdded => _portsAdded;

    public IReadOnlyCollection<PortMapping> PortsRemoved => _portsRemoved;

    public IReadOnlyCollection<LinkRule> LinksAdded => _linksAdded;

    public IReadOnlyCollection<LinkRule> LinksRemoved => _linksRemoved;

    public IReadOnlyCollection<BridgePort> BridgePortsAdded => _bridgePortsAdded;

    public IReadOnlyCollection<BridgePort> BridgePortsRemoved => _bridgePortsRemoved;

    public bool IsEmpty => NetworksAdded.Count == 0 && NetworksRemoved.Count == 0 && _portsAdded.Count == 0
        && _bridgePortsAdded.Count == 0 && _bridgePortsRemoved.Count == 0
        && _portsRemoved.Count == 0 && _linksAdded.Count == 0 && _linksRemoved.Count == 0;

    /// <summary>True when only bridge ports changed: nothing at layer 3 (a join or leave without published ports).</summary>
    public bool OnlyBridgePorts => NetworksAdded.Count == 0 && NetworksRemoved.Count == 0 && _portsAdded.Count == 0
        && _portsRemoved.Count == 0 && _linksAdded.Count == 0 && _linksRemoved.Count == 0;

    /// <summary>True when the set of networks (or a network's rules) changed, not only ports or links.</summary>
    public bool NetworksChanged => NetworksAdded.Count > 0 || NetworksRemoved.Count > 0;

    internal static FirewallChange Apply(FirewallState before, IEnumerable<FirewallOperation> operations)
    {
        var change = new FirewallChange(before);
        foreach (var op in operations) op.ApplyTo(change);
        return change.Finish();
    }

    /// <summary>Adds a network, or replaces the rules of one with the same tag.</summary>
    public void AddNetwork(BridgeRules network)
    {
        ArgumentNullException.ThrowIfNull(network);
        foreach (var other in _networks.Values)
        {
            if (other.Tag != network.Tag && other.BridgeName == network.BridgeName)
                throw new FirewallException($"bridge {network.BridgeName} already belongs to network {other.Tag}; network {network.Tag} cannot use it too");
        }
        _networks[network.Tag] = network;
        _touchedNetworks.Add(network.Tag);
    }

    /// <summary>Removes a network with all its ports and links. Removing an unknown network does nothing.</summary>
    public void RemoveNetwork(string tag)
    {
        if (!_networks.Remove(tag)) return;
        _touchedNetworks.Add(tag);
        foreach (var p in _ports.Values.Where(p => p.Network == tag).ToList()) RemovePort(p);
        foreach (var l in _links.Values.Where(l => l.Network == tag).ToList()) RemoveLink(l);
        foreach (var b in _bridgePorts.Values.Where(b => b.Network == tag).ToList()) RemoveBridgePort(b);
    }

    public void AddPort(PortMapping port)
    {
        ArgumentNullException.ThrowIfNull(port);
        if (!_networks.TryGetValue(port.Network, out var network))
            throw new FirewallException($"port {port}: network {port.Network} is not known to the firewall; add the network first");
        if (!network.Contains(port.ContainerIP))
            throw new FirewallException($"port {port}: container address {port.ContainerIP} is not in network {port.Network}'s subnets ({string.Join(", ", network.Subnets)})");
        if (_ports.TryGetValue(port.Binding, out var existing))
        {
            if (existing.Equals(port)) return;
            throw new FirewallException($"host port {port.HostBinding} is already published by {existing.Tag}");
        }
        _ports[port.Binding] = port;
        PortsOf(port.Tag).Add(port);
        if (!_portsRemoved.Remove(port)) _portsAdded.Add(port);
    }

    public void RemovePort(PortMapping port)
    {
        ArgumentNullException.ThrowIfNull(port);
        if (!_ports.TryGetValue(port.Binding, out var existing) || !existing.Equals(port)) return;
        _ports.Remove(port.Binding);
        PortsOf(port.Tag).Remove(port);
        if (!_portsAdded.Remove(port)) _portsRemoved.Add(port);
    }

    /// <summary>
    /// Removes every port of an endpoint: a look-up of its own ports in the state's per-endpoint index, not a walk of
    /// every port of the daemon (a leave's options cannot say which mappings the endpoint was given).
    /// </summary>
    public void RemovePorts(string endpointTag)
    {
        ArgumentNullException.ThrowIfNull(endpointTag);
        if (!_tagPorts.TryGetValue(endpointTag, out var ports))
        {
            if (!_portsByTag.ContainsKey(endpointTag)) return;
            ports = PortsOf(endpointTag);
        }
        foreach (var p in ports.ToList()) RemovePort(p);
    }

    /// <summary>
    /// The endpoint's ports as this change edits them: a builder over the state's set, made on first touch, so a
    /// transaction that publishes 1000 ports of one endpoint does not build 1000 immutable sets.
    /// </summary>
    private ImmutableHashSet<PortMapping>.Builder PortsOf(string tag)
    {
        if (!_tagPorts.TryGetValue(tag, out var builder))
        {
            builder = (_portsByTag.TryGetValue(tag, out var set) ? set : ImmutableHashSet<PortMapping>.Empty).ToBuilder();
            _tagPorts[tag] = builder;
        }
        return builder;
    }

    public void AddLink(LinkRule link)
    {
        ArgumentNullException.ThrowIfNull(link);
        if (!_networks.ContainsKey(link.Network))
            throw new FirewallException($"{link}: network {link.Network} is not known to the firewall; add the network first");
        if (_links.TryGetValue(link.Flow, out var existing))
        {
            if (existing.Equals(link)) return;
            throw new FirewallException($"{link} is already allowed by link {existing.Tag}");
        }
        _links[link.Flow] = link;
        if (!_linksRemoved.Remove(link)) _linksAdded.Add(link);
    }

    public void RemoveLink(LinkRule link)
    {
        ArgumentNullException.ThrowIfNull(link);
        if (!_links.TryGetValue(link.Flow, out var existing) || !existing.Equals(link)) return;
        _links.Remove(link.Flow);
        if (!_linksAdded.Remove(link)) _linksRemoved.Add(link);
    }

    public void RemoveLinks(string tag)
    {
        foreach (var l in _links.Values.Where(l => l.Tag == tag).ToList()) RemoveLink(l);
    }

    /// <summary>
    /// Adds an endpoint's bridge port, or replaces the one with the same name and endpoint. The port's network must be
    /// known, its addresses inside the network's subnets, and no other port of that network may own its MAC or
    /// addresses: the firewall would otherwise let two ports send as one.
    /// </summary>
    public void AddBridgePort(BridgePort port)
    {
        ArgumentNullException.ThrowIfNull(port);
        if (!_networks.TryGetValue(port.Network, out var network))
            throw new FirewallException($"{port}: network {port.Network} is not known to the firewall; add the network first");
        foreach (var address in new[] { port.IPv4, port.IPv6 })
        {
            if (address is not null && !network.Contains(address))
                throw new FirewallException($"{port}: address {address} is not in network {port.Network}'s subnets ({string.Join(", ", network.Subnets)})");
        }
        if (_bridgePorts.TryGetValue(port.PortName, out var existing))
        {
            if (existing.Equals(port)) return;
            if (existing.Tag != port.Tag) throw new FirewallException($"bridge port {port.PortName} already belongs to endpoint {existing.Tag}");
            RemoveBridgePort(existing);
        }
        foreach (var claim in Claims(port))
        {
            if (!_bridgeClaims.TryGetValue((port.Network, claim), out var owner)) continue;
            var other = _bridgePorts[owner];
            throw claim is Plexus.Kernel.Types.MacAddress
                ? new FirewallException($"{port}: MAC address {port.Mac} is already the one of {other} on network {port.Network}")
                : new FirewallException($"{port}: its address {claim} is already the one of {other} on network {port.Network}");
        }
        _bridgePorts[port.PortName] = port;
        foreach (var claim in Claims(port)) _bridgeClaims[(port.Network, claim)] = port.PortName;
        if (!_bridgePortsRemoved.Remove(port)) _bridgePortsAdded.Add(port);
    }

    public void RemoveBridgePort(BridgePort port)
    {
        ArgumentNullException.ThrowIfNull(port);
        if (!_bridgePorts.TryGetValue(port.PortName, out var existing) || !existing.Equals(port)) return;
        _bridgePorts.Remove(port.PortName);
        foreach (var claim in Claims(port)) _bridgeClaims.Remove((port.Network, claim));
        if (!_bridgePortsAdded.Remove(port)) _bridgePortsRemoved.Add(port);
    }

    /// <summary>What a port owns on its network: its MAC and its addresses.</summary>
    private static IEnumerable<object> Claims(BridgePort port)
    {
        yield return port.Mac;
        if (port.IPv4 is not null) yield return port.IPv4;
        if (port.IPv6 is not null) yield return port.IPv6;
    }

    /// <summary>
    /// Removes the endpoint's bridge port (there is at most one per endpoint and network). With the port's name, as
    /// a leave knows it, that is one look-up; without it, or when that port is not the endpoint's, every port is
    /// searched (a leave at N = 1000 spent half a millisecond walking the ports for the one it named).
    /// </summary>
    public void RemoveBridgePorts(string endpointTag, string? portName = null)
    {
        if (portName is not null && _bridgePorts.TryGetValue(portName, out var named) && named.Tag == endpointTag)
        {
            RemoveBridgePort(named);
            return;
        }
        foreach (var b in _bridgePorts.Values.Where(b => b.Tag == endpointTag).ToList()) RemoveBridgePort(b);
    }

    void IFirewallChange<FirewallState>.Finish() => Finish();

    public override string ToString() =>
        $"+{NetworksAdded.Count}/-{NetworksRemoved.Count} networks, +{_portsAdded.Count}/-{_portsRemoved.Count} ports, +{_linksAdded.Count}/-{_linksRemoved.Count} links, +{_bridgePortsAdded.Count}/-{_bridgePortsRemoved.Count} bridge ports";

    internal FirewallChange Finish()
    {
        var added = new List<BridgeRules>();
        var removed = new List<BridgeRules>();
        foreach (var tag in _touchedNetworks.Order(StringComparer.Ordinal))
        {
            Before.NetworksByTag.TryGetValue(tag, out var old);
            _networks.TryGetValue(tag, out var now);
            if (old is not null && now is not null && old.Equals(now)) continue;
            if (old is not null) removed.Add(old);
            if (now is not null) added.Add(now);
        }
        NetworksAdded = added;
        NetworksRemoved = removed;
        // The index holds no empty sets: an endpoint without ports is not in it.
        foreach (var (tag, builder) in _tagPorts)
        {
            if (builder.Count == 0) _portsByTag.Remove(tag);
            else _portsByTag[tag] = builder.ToImmutable();
        }
        _tagPorts.Clear();
        After = new FirewallState(_networks.ToImmutable(), _ports.ToImmutable(), _portsByTag.ToImmutable(), _links.ToImmutable(), _bridgePorts.ToImmutable(), _bridgeClaims.ToImmutable());
        return this;
    }
}
