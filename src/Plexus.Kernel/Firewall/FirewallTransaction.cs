namespace Plexus.Kernel.Firewall;

/// <summary>
/// A set of changes applied together (knftables' Transaction): a network with its ports, an endpoint's
/// ports and links, and so on. The operations are replayed on the firewall's state at <see cref="Commit"/>,
/// checked as a whole, and applied in one backend batch; if anything fails, nothing changes.
/// </summary>
public sealed class FirewallTransaction
{
    private readonly FirewallBase _owner;
    private readonly List<FirewallOperation> _operations = [];
    private bool _committed;

    internal FirewallTransaction(FirewallBase owner) => _owner = owner;

    /// <summary>Adds a network, or replaces the rules of the network with the same tag.</summary>
    public FirewallTransaction AddNetwork(BridgeRules network)
    {
        ArgumentNullException.ThrowIfNull(network);
        return Add(new FirewallOperation.AddNetwork(network));
    }

    /// <summary>Removes a network and every port and link that belongs to it. Unknown networks are ignored.</summary>
    public FirewallTransaction RemoveNetwork(string tag)
    {
        ArgumentNullException.ThrowIfNull(tag);
        return Add(new FirewallOperation.RemoveNetwork(tag));
    }

    /// <summary>Publishes ports. Publishing a mapping that is already there does nothing; a taken binding fails the commit.</summary>
    public FirewallTransaction AddPorts(IEnumerable<PortMapping> ports)
    {
        ArgumentNullException.ThrowIfNull(ports);
        return Add(new FirewallOperation.AddPorts([.. ports]));
    }

    public FirewallTransaction AddPorts(params PortMapping[] ports) => AddPorts((IEnumerable<PortMapping>)ports);

    /// <summary>Unpublishes these mappings (those not published are ignored).</summary>
    public FirewallTransaction RemovePorts(IEnumerable<PortMapping> ports)
    {
        ArgumentNullException.ThrowIfNull(ports);
        return Add(new FirewallOperation.RemovePorts([.. ports]));
    }

    /// <summary>Unpublishes every port of an endpoint.</summary>
    public FirewallTransaction RemovePorts(string endpointTag)
    {
        ArgumentNullException.ThrowIfNull(endpointTag);
        return Add(new FirewallOperation.RemoveEndpointPorts(endpointTag));
    }

    public FirewallTransaction AddLinks(IEnumerable<LinkRule> links)
    {
        ArgumentNullException.ThrowIfNull(links);
        return Add(new FirewallOperation.AddLinks([.. links]));
    }

    public FirewallTransaction AddLinks(params LinkRule[] links) => AddLinks((IEnumerable<LinkRule>)links);

    /// <summary>Removes every link rule with this tag.</summary>
    public FirewallTransaction RemoveLinks(string tag)
    {
        ArgumentNullException.ThrowIfNull(tag);
        return Add(new FirewallOperation.RemoveLinks(tag));
    }

    /// <summary>Adds (or replaces) an endpoint's bridge port: what it may send with (anti-spoofing), and icc=false for non-IP frames.</summary>
    public FirewallTransaction AddBridgePort(BridgePort port)
    {
        ArgumentNullException.ThrowIfNull(port);
        return Add(new FirewallOperation.AddBridgePort(port));
    }

    /// <summary>Removes the bridge port of an endpoint (none: nothing happens).</summary>
    public FirewallTransaction RemoveBridgePorts(string endpointTag)
    {
        ArgumentNullException.ThrowIfNull(endpointTag);
        return Add(new FirewallOperation.RemoveBridgePorts(endpointTag));
    }

    public int Count => _operations.Count;

    /// <summary>
    /// Applies every operation at once. Throws <see cref="FirewallException"/> (and changes nothing) when the
    /// result is inconsistent or the backend refuses it. A transaction commits at most once.
    /// </summary>
    public void Commit()
    {
        if (_committed) throw new InvalidOperationException("this firewall transaction was already committed; begin a new one");
        _committed = true;
        _owner.Commit(_operations);
    }

    private FirewallTransaction Add(FirewallOperation operation)
    {
        if (_committed) throw new InvalidOperationException("this firewall transaction was already committed; begin a new one");
        _operations.Add(operation);
        return this;
    }
}
