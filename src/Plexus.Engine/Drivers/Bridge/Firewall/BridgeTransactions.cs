using Plexus.Kernel.Firewall;

namespace Plexus.Engine.Drivers.Bridge.Firewall;

/// <summary>The bridge firewall's transaction steps, by name: each adds one <see cref="FirewallOperation"/>.</summary>
public static class BridgeTransactions
{
    /// <summary>Adds a network, or replaces the rules of the network with the same tag.</summary>
    public static FirewallTransaction<FirewallChange> AddNetwork(this FirewallTransaction<FirewallChange> tx, BridgeRules network)
    {
        ArgumentNullException.ThrowIfNull(network);
        return Step(tx, new FirewallOperation.AddNetwork(network));
    }

    /// <summary>Removes a network and every port and link that belongs to it. Unknown networks are ignored.</summary>
    public static FirewallTransaction<FirewallChange> RemoveNetwork(this FirewallTransaction<FirewallChange> tx, string tag)
    {
        ArgumentNullException.ThrowIfNull(tag);
        return Step(tx, new FirewallOperation.RemoveNetwork(tag));
    }

    /// <summary>Publishes ports. Publishing a mapping that is already there does nothing; a taken binding fails the commit.</summary>
    public static FirewallTransaction<FirewallChange> AddPorts(this FirewallTransaction<FirewallChange> tx, IEnumerable<PortMapping> ports)
    {
        ArgumentNullException.ThrowIfNull(ports);
        return Step(tx, new FirewallOperation.AddPorts([.. ports]));
    }

    public static FirewallTransaction<FirewallChange> AddPorts(this FirewallTransaction<FirewallChange> tx, params PortMapping[] ports) =>
        AddPorts(tx, (IEnumerable<PortMapping>)ports);

    /// <summary>Unpublishes these mappings (those not published are ignored).</summary>
    public static FirewallTransaction<FirewallChange> RemovePorts(this FirewallTransaction<FirewallChange> tx, IEnumerable<PortMapping> ports)
    {
        ArgumentNullException.ThrowIfNull(ports);
        return Step(tx, new FirewallOperation.RemovePorts([.. ports]));
    }

    /// <summary>Unpublishes every port of an endpoint.</summary>
    public static FirewallTransaction<FirewallChange> RemovePorts(this FirewallTransaction<FirewallChange> tx, string endpointTag)
    {
        ArgumentNullException.ThrowIfNull(endpointTag);
        return Step(tx, new FirewallOperation.RemoveEndpointPorts(endpointTag));
    }

    public static FirewallTransaction<FirewallChange> AddLinks(this FirewallTransaction<FirewallChange> tx, IEnumerable<LinkRule> links)
    {
        ArgumentNullException.ThrowIfNull(links);
        return Step(tx, new FirewallOperation.AddLinks([.. links]));
    }

    public static FirewallTransaction<FirewallChange> AddLinks(this FirewallTransaction<FirewallChange> tx, params LinkRule[] links) =>
        AddLinks(tx, (IEnumerable<LinkRule>)links);

    /// <summary>Removes every link rule with this tag.</summary>
    public static FirewallTransaction<FirewallChange> RemoveLinks(this FirewallTransaction<FirewallChange> tx, string tag)
    {
        ArgumentNullException.ThrowIfNull(tag);
        return Step(tx, new FirewallOperation.RemoveLinks(tag));
    }

    /// <summary>Adds (or replaces) an endpoint's bridge port: what it may send with (anti-spoofing), and icc=false for non-IP frames.</summary>
    public static FirewallTransaction<FirewallChange> AddBridgePort(this FirewallTransaction<FirewallChange> tx, BridgePort port)
    {
        ArgumentNullException.ThrowIfNull(port);
        return Step(tx, new FirewallOperation.AddBridgePort(port));
    }

    /// <summary>Removes the bridge port of an endpoint (none: nothing happens); <paramref name="portName"/>, when known, saves searching for it.</summary>
    public static FirewallTransaction<FirewallChange> RemoveBridgePorts(this FirewallTransaction<FirewallChange> tx, string endpointTag, string? portName = null)
    {
        ArgumentNullException.ThrowIfNull(endpointTag);
        return Step(tx, new FirewallOperation.RemoveBridgePorts(endpointTag, portName));
    }

    /// <summary>Makes the rules exactly those of these networks, ports and links (no bridge ports).</summary>
    public static void ReplaceAll(this IFirewall<FirewallState, FirewallChange> firewall, IEnumerable<BridgeRules> networks, IEnumerable<PortMapping> ports, IEnumerable<LinkRule> links)
    {
        ArgumentNullException.ThrowIfNull(firewall);
        firewall.ReplaceAll(FirewallState.Create(networks, ports, links));
    }

    private static FirewallTransaction<FirewallChange> Step(FirewallTransaction<FirewallChange> tx, FirewallOperation operation)
    {
        ArgumentNullException.ThrowIfNull(tx);
        return tx.Add(operation.ApplyTo);
    }
}
