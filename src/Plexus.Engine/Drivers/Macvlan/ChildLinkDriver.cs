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
/// <typeparam name="TOptions">The driver's parsed network options: parsed once per network and kept while it exists.</typeparam>
public abstract class ChildLinkDriver<TOptions> : INetworkDriver
    where TOptions : ChildLinkOptions
{
    /// <summary>Each network's options by id, parsed when the network is made or restored; a join reads them from here.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, TOptions> _options = new(StringComparer.Ordinal);

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

    /// <summary>Parses and checks a network's options; throws PlexusException(InvalidArgument) on bad ones.</summary>
    protected abstract TOptions Parse(NetworkState network);

    /// <summary>The network's options: kept since it was made or restored (parsed now for one this driver has not seen).</summary>
    protected TOptions OptionsOf(NetworkState network) => _options.TryGetValue(network.Id, out var options) ? options : Parse(network);

    /// <summary>Whether a network needs its parent alone (macvlan's passthru).</summary>
    protected virtual bool IsExclusive(TOptions options) => false;

    /// <summary>Whether endpoints get a default route through the network's gateway (not without a parent, nor where the driver routes).</summary>
    protected abstract bool OffersGateway(NetworkState network, TOptions options);

    /// <summary>
    /// Addresses from IPAM and names from the embedded resolver, as on any user-defined network; no published ports
    /// and no links (every sandbox on the segment reaches every other, as with Docker's macvlan); one host.
    /// </summary>
    public DriverCapabilities Capabilities { get; } = new() { UsesIpam = true, EmbeddedDns = true };

    /// <summary>The child link to create for an endpoint.</summary>
    protected abstract LinkSpec ChildSpec(TOptions options, EndpointState endpoint, string name, int parent);

    public virtual void ValidateNetwork(NetworkState network) => Parse(network);

    public IReadOnlyDictionary<string, string> CreateNetwork(NetworkState network)
    {
        Acquire(network);
        return new Dictionary<string, string> { [ParentOption.Key] = OptionsOf(network).Parent };
    }

    public void DeleteNetwork(NetworkState network)
    {
        var options = OptionsOf(network);
        Parents.Release(network, options.Parent);
        _options.TryRemove(network.Id, out _);
    }

    /// <summary>Takes the parent up again, re-creating it if Plexus made it (a VLAN sub-interface, the dummy) and it is gone.</summary>
    public void RestoreNetwork(NetworkState network) => Acquire(network);

    /// <summary>Takes the network's parent and keeps its options for the joins to come.</summary>
    private void Acquire(NetworkState network)
    {
        var options = Parse(network);
        Parents.Acquire(network, Name, options.Parent, options.HasParent, IsExclusive(options));
        _options[network.Id] = options;
    }

    public virtual EndpointState CreateEndpoint(NetworkState network, EndpointState endpoint) => endpoint;

    public JoinInfo Join(NetworkState network, EndpointState endpoint, Sandbox sandbox)
    {
        if (sandbox.IsHostNamespace)
            throw PlexusException.Invalid($"sandbox {sandbox.Name} uses the host's network namespace and cannot join {Name} network {network.Name}");
        var ifname = endpoint.InterfaceName ?? throw new InvalidOperationException("join without an interface name");
        var options = OptionsOf(network);
        var parent = options.Parent;
        var spec = ChildSpec(options, endpoint, ifname, Parents.IndexOf(network, parent)) with { Namespace = sandbox.Namespace };
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
        return OffersGateway(network, options) ? JoinInfo.GatewaysOf(network, endpoint) : new JoinInfo();
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
        return Host.FindLink(OptionsOf(network).Parent) is { } lower && link.ParentIndex == lower.Index;
    }

    /// <summary>Nothing derived from all networks at once: these drivers keep no firewall rules.</summary>
    public void Reconcile(IReadOnlyCollection<NetworkState> networks, IReadOnlyCollection<EndpointState> joinedEndpoints)
    {
    }

    /// <summary>
    /// Parents Plexus made that no macvlan or ipvlan network names any more, collected once for both drivers
    /// (<see cref="ParentLinks.CollectGarbage"/>). Children need no collection: they live in sandbox namespaces and
    /// go with them.
    /// </summary>
    public IReadOnlyList<string> CollectGarbage(IReadOnlyCollection<NetworkState> networks, IReadOnlyCollection<EndpointState> joinedEndpoints)
    {
        var inUse = new HashSet<string>(StringComparer.Ordinal);
        foreach (var network in networks.Where(n => n.Driver is MacvlanDriver.DriverName or IpvlanDriver.DriverName))
            if (network.DriverState.TryGetValue(ParentOption.Key, out var parent)) inUse.Add(parent);
        return Parents.CollectGarbage(inUse);
    }
}
