using Plexus.Engine.Model;
using Plexus.Engine.Sandboxes;
using Plexus.Kernel;
using Plexus.Kernel.Interop;
using Plexus.Kernel.Rtnl;
using Plexus.Kernel.Rtnl.LinkKinds;

namespace Plexus.Engine.Drivers.Macvlan;

/// <summary>
/// What the macvlan and ipvlan drivers share: a network is a parent interface on the host (<see cref="ParentLinks"/>),
/// and an endpoint is a child link of that parent created straight inside the sandbox's namespace under its final
/// name (the kernel finds the parent in the namespace the request comes from), so a join is one netlink request
/// plus the sandbox's own configuration. There is no bridge, no firewall policy, no published port and no
/// masquerade: the sandboxes sit on the parent's segment, and a router there is their gateway.
/// </summary>
public abstract class ChildLinkDriver : INetworkDriver
{
    protected ChildLinkDriver(RtNetlink host, ParentLinks parents)
    {
        Host = host;
        Parents = parents;
    }

    protected RtNetlink Host { get; }

    protected ParentLinks Parents { get; }

    public abstract string Name { get; }

    /// <summary>IFLA_INFO_KIND of the children ("macvlan", "ipvlan").</summary>
    protected abstract string ChildKind { get; }

    /// <summary>The parent's name and whether the user gave one; throws on bad options.</summary>
    protected abstract (string Parent, bool Given) ParentOf(NetworkState network);

    /// <summary>Whether a network needs its parent alone (macvlan's passthru).</summary>
    protected virtual bool IsExclusive(NetworkState network) => false;

    /// <summary>Whether endpoints get a default route through the network's gateway (not without a parent, nor where the driver routes).</summary>
    public abstract bool OffersGateway(NetworkState network);

    /// <summary>
    /// Addresses from IPAM and names from the embedded resolver, as on any user-defined network; no published ports
    /// and no links (every sandbox on the segment reaches every other, as with Docker's macvlan); one host.
    /// </summary>
    public static DriverCapabilities Declared { get; } = new() { UsesIpam = true, EmbeddedDns = true };

    public DriverCapabilities Capabilities => Declared;

    /// <summary>The child link to create for an endpoint.</summary>
    protected abstract LinkSpec ChildSpec(NetworkState network, EndpointState endpoint, string name, int parent);

    public virtual void ValidateNetwork(NetworkState network) => ParentOf(network);

    public IReadOnlyDictionary<string, string> CreateNetwork(NetworkState network)
    {
        var (parent, given) = ParentOf(network);
        Parents.Acquire(network, Name, parent, given, IsExclusive(network));
        return new Dictionary<string, string> { [ParentOption.Key] = parent };
    }

    public void DeleteNetwork(NetworkState network)
    {
        var (parent, _) = ParentOf(network);
        Parents.Release(network, parent);
    }

    /// <summary>Takes the parent up again, re-creating it if Plexus made it (a VLAN sub-interface, the dummy) and it is gone.</summary>
    public void RestoreNetwork(NetworkState network)
    {
        var (parent, given) = ParentOf(network);
        Parents.Acquire(network, Name, parent, given, IsExclusive(network));
    }

    public virtual EndpointState CreateEndpoint(NetworkState network, EndpointState endpoint) => endpoint;

    public JoinInfo Join(NetworkState network, EndpointState endpoint, Sandbox sandbox)
    {
        if (sandbox.IsHostNamespace)
            throw PlexusException.Invalid($"sandbox {sandbox.Name} uses the host's network namespace and cannot join {Name} network {network.Name}");
        var ifname = endpoint.InterfaceName ?? throw new InvalidOperationException("join without an interface name");
        var (parent, _) = ParentOf(network);
        var spec = ChildSpec(network, endpoint, ifname, Parents.IndexOf(network, parent)) with { Namespace = sandbox.Namespace };
        try
        {
            Host.CreateLink(spec);
        }
        catch (KernelException e) when (e.ErrorNumber == Errno.EOPNOTSUPP)
        {
            throw PlexusException.Invalid($"network {network.Name}: {Name} is not supported by this kernel");
        }
        catch (KernelException e)
        {
            throw new PlexusException(ErrorKind.Conflict, $"network {network.Name}: cannot create the {ChildKind} interface on parent {parent}: {e.Message}", e);
        }
        return OffersGateway(network) ? JoinInfo.GatewaysOf(network) : new JoinInfo();
    }

    /// <summary>Deletes the child in the sandbox (its addresses and routes go with it).</summary>
    public void Leave(NetworkState network, EndpointState endpoint, Sandbox sandbox)
    {
        if (sandbox.IsHostNamespace || endpoint.InterfaceName is not { } ifname) return;
        if (sandbox.Netlink.FindLink(ifname) is not { } link || link.Kind != ChildKind) return;
        try
        {
            sandbox.Netlink.DeleteLink(link.Index);
        }
        catch (KernelException e) when (e.ErrorNumber == Errno.ENODEV)
        {
        }
    }

    /// <summary>The sandbox's interface is a child of the network's parent as it is now (a re-created parent has a new index).</summary>
    public bool IsJoined(NetworkState network, EndpointState endpoint, Sandbox sandbox)
    {
        if (endpoint.InterfaceName is not { } ifname || sandbox.Netlink.FindLink(ifname) is not { } link || link.Kind != ChildKind) return false;
        var (parent, _) = ParentOf(network);
        return Host.FindLink(parent) is { } lower && link.ParentIndex == lower.Index;
    }

    /// <summary>Nothing derived from all networks at once: these drivers keep no firewall rules.</summary>
    public void Reconcile(IReadOnlyCollection<NetworkState> networks, IReadOnlyCollection<EndpointState> joinedEndpoints)
    {
    }

    /// <summary>
    /// Parents Plexus made that no macvlan or ipvlan network names any more. Children need no collection: they
    /// live in sandbox namespaces and go with them.
    /// </summary>
    public IReadOnlyList<string> CollectGarbage(IReadOnlyCollection<NetworkState> networks, IReadOnlyCollection<EndpointState> joinedEndpoints)
    {
        var inUse = new HashSet<string>(StringComparer.Ordinal);
        foreach (var network in networks.Where(n => n.Driver is MacvlanDriver.DriverName or IpvlanDriver.DriverName))
            if (network.DriverState.TryGetValue(ParentOption.Key, out var parent)) inUse.Add(parent);
        return Parents.CollectGarbage(inUse);
    }
}
