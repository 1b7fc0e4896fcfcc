using Plexus.Engine.Model;
using Plexus.Engine.Sandboxes;
using Plexus.Kernel;
using Plexus.Kernel.Rtnl;
using Plexus.Kernel.Types;

namespace Plexus.Engine.Controller;

/// <summary>
/// What CNI runtimes (podman, containerd, cnitool) need through the plugin: a container's namespace adopted as a
/// sandbox named by its container id, joined to networks with the interface name the runtime chose, found again
/// by (container id, interface) for DEL and CHECK, and collected when the runtime no longer knows it (GC).
/// </summary>
public sealed partial class NetworkController
{
    /// <summary>Marks a sandbox made for a CNI container; its value is the container id.</summary>
    public const string CniContainerLabel = "com.plexus.cni.container";

    /// <summary>On a network made from a CNI configuration: the definition it was made from (<see cref="CniAttachRequest.Definition"/>).</summary>
    public const string CniDefinitionLabel = "com.plexus.cni.definition";

    /// <summary>
    /// Serialises the find-or-create steps of ADD: two containers adding to a network not yet made must not both
    /// make it, and two interfaces of one container must not both adopt its namespace. Held for those steps only.
    /// </summary>
    private readonly Lock _cni = new();

    /// <summary>
    /// ADD: the network (made on first use, or checked against the definition it was made from), the container's
    /// sandbox (adopted on its first interface), and the endpoint joined with the interface named as asked. An ADD
    /// repeated for an attachment that exists answers it; a failure leaves no sandbox this call made.
    /// </summary>
    public CniAttachment CniAdd(CniAttachRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var ifname = request.Endpoint.InterfaceName ?? throw PlexusException.Invalid("CNI ADD needs an interface name (CNI_IFNAME)");
        RequestValidation.InterfaceName(ifname);
        RequestValidation.Check(request.Endpoint);
        var network = EnsureCniNetwork(request);
        var (sandbox, created) = CniSandboxFor(request);
        if (EndpointsOf(sandbox).FirstOrDefault(e => e.InterfaceName == ifname) is { } existing)
        {
            if (existing.NetworkId == network.Id) return new CniAttachment(network, sandbox, existing);
            throw PlexusException.Conflict($"container {request.ContainerId} already has interface {ifname}, on network {NameOf(existing.NetworkId)}");
        }
        try
        {
            return new CniAttachment(network, sandbox, Connect(network.Id, sandbox.Id, request.Endpoint));
        }
        catch (Exception) when (created)
        {
            TryUndo(() => DeleteSandbox(sandbox.Id));
            throw;
        }
    }

    /// <summary>
    /// DEL: leaves and deletes the container's endpoint of that interface, releasing its addresses and ports, and
    /// removes the sandbox with its last interface (the namespace itself is the runtime's, and is left). False when
    /// there was nothing to remove: DEL is idempotent.
    /// </summary>
    public bool CniDelete(string containerId, string ifname)
    {
        if (CniSandboxOf(containerId) is not { } sandbox) return false;
        bool removed = false;
        foreach (var endpoint in EndpointsOf(sandbox).Where(e => e.InterfaceName == ifname))
        {
            try
            {
                Disconnect(endpoint.NetworkId, sandbox.Id);
                removed = true;
            }
            catch (PlexusException e) when (e.Kind == ErrorKind.NotFound)
            {
                // a DEL running beside this one took it first
            }
        }
        lock (_cni)
        {
            if (_sandboxes.ContainsKey(sandbox.Id) && EndpointsOf(sandbox).Count == 0)
            {
                try
                {
                    DeleteSandbox(sandbox.Id);
                    removed = true;
                }
                catch (PlexusException e) when (e.Kind == ErrorKind.NotFound)
                {
                    // already removed
                }
            }
        }
        return removed;
    }

    /// <summary>The attachment of (container id, interface), or null when plexusd has none.</summary>
    public CniAttachment? CniFind(string containerId, string ifname)
    {
        if (CniSandboxOf(containerId) is not { } sandbox) return null;
        var endpoint = EndpointsOf(sandbox).FirstOrDefault(e => e.InterfaceName == ifname);
        return endpoint is not null && _networks.TryGetValue(endpoint.NetworkId, out var network) ? new CniAttachment(network, sandbox, endpoint) : null;
    }

    /// <summary>
    /// GC: removes every CNI attachment of the network whose (container id, interface) is not in <paramref name="valid"/>;
    /// returns the ones removed as "container/interface". A network plexusd does not have has nothing to collect.
    /// </summary>
    public IReadOnlyList<string> CniCollect(string networkName, IReadOnlySet<(string ContainerId, string IfName)> valid)
    {
        ArgumentNullException.ThrowIfNull(valid);
        var network = _networks.Values.FirstOrDefault(n => n.Name == networkName);
        if (network is null) return [];
        var removed = new List<string>();
        foreach (var endpoint in EndpointsOf(network))
        {
            if (endpoint.SandboxId is not { } id || !_sandboxes.TryGetValue(id, out var sandbox) || !IsCni(sandbox) || endpoint.InterfaceName is not { } ifname)
                continue;
            if (valid.Contains((sandbox.Name, ifname))) continue;
            if (CniDelete(sandbox.Name, ifname)) removed.Add($"{sandbox.Name}/{ifname}");
        }
        return removed;
    }

    /// <summary>The links of an attachment as the kernel has them: the bridge, the host end and the container's interface (each null when missing).</summary>
    public (Link? Bridge, Link? Host, Link? Container) CniLinksOf(CniAttachment attachment)
    {
        ArgumentNullException.ThrowIfNull(attachment);
        // The drivers record their host-side names in their state; a driver without them has no host-side links.
        var bridge = attachment.Network.DriverState.TryGetValue("bridge", out var b) ? _host.FindLink(b) : null;
        var host = attachment.Endpoint.DriverState.TryGetValue("veth", out var v) ? _host.FindLink(v) : null;
        var container = attachment.Endpoint.InterfaceName is { } name ? attachment.Sandbox.Netlink.FindLink(name) : null;
        return (bridge, host, container);
    }

    /// <summary>
    /// ADD's view of a bridge network's links, for the result: the bridge's MAC as the kernel has it, and the MTU the
    /// container's interface was made with. Only the bridge is asked for, by name: a bridge has no peer namespace, so
    /// the look-up is a hash look-up (a veth's makes the kernel walk every namespace id the host knows). Null for a
    /// network that is not a bridge network; the MAC is null if the bridge is gone.
    /// </summary>
    public (MacAddress? BridgeMac, int Mtu)? CniBridgeOf(NetworkState network)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (DriverOf(network) is not Drivers.Bridge.BridgeDriver bridge || !network.DriverState.TryGetValue(Drivers.Bridge.BridgeDriver.StateBridge, out var name))
            return null;
        return (_host.FindLink(name)?.Mac, bridge.PortMtuOf(network));
    }

    /// <summary>
    /// CHECK's kernel side: what is wrong with the attachment's interface in the container as the kernel shows it
    /// (missing, down, an address, the default routes or the network's routes gone); empty when it is as plexusd made it.
    /// </summary>
    public IReadOnlyList<string> CniProblemsOf(CniAttachment attachment)
    {
        ArgumentNullException.ThrowIfNull(attachment);
        var problems = new List<string>();
        var (_, host, container) = CniLinksOf(attachment);
        var ifname = attachment.Endpoint.InterfaceName;
        try
        {
            if (container is null)
            {
                problems.Add($"interface {ifname} is missing in the container's namespace {attachment.Sandbox.State.NamespacePath}");
                return problems;
            }
            if (!container.IsUp) problems.Add($"interface {ifname} is down");
            if (attachment.Endpoint.DriverState.ContainsKey("veth") && host is null)
                problems.Add($"the host end {attachment.Endpoint.DriverState["veth"]} of interface {ifname} is missing");
            var addresses = attachment.Sandbox.Netlink.ListAddresses(container.Index).Select(a => a.Prefix).ToHashSet();
            foreach (var expected in new[] { attachment.Endpoint.IPv4, attachment.Endpoint.IPv6 })
                if (expected is { } prefix && !addresses.Contains(prefix)) problems.Add($"address {prefix} is missing on interface {ifname}");
            var gateway = GatewayChoice.Of(EndpointsOf(attachment.Sandbox));
            if (gateway?.Id == attachment.Endpoint.Id && attachment.Endpoint.Joined?.GatewayV4 is { } gw4
                && !attachment.Sandbox.Netlink.ListRoutes(4).Any(r => r.IsDefault && Equals(r.Gateway, gw4)))
                problems.Add($"the default route via {gw4} is missing");
            if (gateway?.Id == attachment.Endpoint.Id && attachment.Endpoint.Joined?.GatewayV6 is { } gw6
                && !attachment.Sandbox.Netlink.ListRoutes(6).Any(r => r.IsDefault && Equals(r.Gateway, gw6)))
                problems.Add($"the default route via {gw6} is missing");
            // The network's own routes (CNI's ipam.routes), each through this interface.
            foreach (var route in attachment.Endpoint.Joined?.StaticRoutes ?? [])
            {
                if (!attachment.Sandbox.Netlink.ListRoutes(route.Destination.IsIPv4 ? 4 : 6)
                        .Any(r => r.Destination == route.Destination && Equals(r.Gateway, route.NextHop)))
                    problems.Add($"the route to {route.Destination}{(route.NextHop is { } via ? $" via {via}" : "")} is missing");
            }
        }
        catch (KernelException e)
        {
            problems.Add($"cannot read interface {ifname}: {e.Message}");
        }
        return problems;
    }

    private static bool IsCni(Sandbox sandbox) => sandbox.State.Labels.ContainsKey(CniContainerLabel);

    private Sandbox? CniSandboxOf(string containerId) =>
        _sandboxNames.TryGetValue(containerId ?? "", out var sandbox) && IsCni(sandbox) ? sandbox : null;

    private string NameOf(string networkId) => _networks.TryGetValue(networkId, out var n) ? n.Name : networkId;

    /// <summary>
    /// The network of the configuration: made on first use with the definition kept on it; later configurations
    /// of that name must define it the same way. A network made without CNI (plexus network create) is used as
    /// it is by a configuration that defines no addresses of its own.
    /// </summary>
    private NetworkState EnsureCniNetwork(CniAttachRequest request)
    {
        var name = request.Network.Name;
        lock (_cni)
        {
            var existing = _networks.Values.FirstOrDefault(n => n.Name == name);
            if (existing is null)
            {
                var labels = new Dictionary<string, string>(request.Network.Labels, StringComparer.Ordinal) { [CniDefinitionLabel] = request.Definition };
                return CreateNetwork(request.Network with { Labels = labels });
            }
            if (existing.Labels.TryGetValue(CniDefinitionLabel, out var had))
            {
                if (had == request.Definition) return existing;
                if (CniDefinitionDifference(existing, request.Definition) is not { } difference) return UpgradeCniDefinition(existing, request.Definition);
                throw PlexusException.Conflict($"network {name} is already defined differently in plexusd: {difference}; "
                    + "give every configuration of this network the same settings, or remove the network from plexusd once no container uses it");
            }
            if (request.DefinesAddresses)
                throw PlexusException.Conflict($"network {name} exists in plexusd and was not made from a CNI configuration, so this configuration may not define its "
                    + "addresses (ipam ranges): leave them out to use the network as it is, or name another network");
            return existing;
        }
    }

    /// <summary>
    /// What differs between the definition a CNI network was made with and <paramref name="definition"/>; null when they
    /// agree. A network made by an earlier plexus-cni is taken as what it does (<see cref="CniDefinitions.OfEarlierPlugin"/>):
    /// a configuration that asks for exactly that agrees with it, and the difference otherwise says the network is older.
    /// </summary>
    public string? CniDefinitionDifference(NetworkState network, string definition)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (!network.Labels.TryGetValue(CniDefinitionLabel, out var had) || had == definition) return null;
        if (DriverOf(network) is Drivers.Bridge.BridgeDriver bridge
            && CniDefinitions.OfEarlierPlugin(had, bridge.OptionsOf(network), network.Options.GetValueOrDefault(Drivers.Bridge.BridgeOptions.Routes)) is { } effective)
        {
            var difference = CniDefinitions.Difference(effective, definition, network.Subnets.Any(s => s.IpVersion == 4), network.Subnets.Any(s => s.IpVersion == 6));
            return difference.Length == 0 ? null : $"{difference} (the network was made by an earlier plexus-cni; these are what it does)";
        }
        return CniDefinitions.Difference(had, definition);
    }

    /// <summary>
    /// Keeps today's text of a definition the network already agrees with (one an earlier plexus-cni wrote), so later
    /// configurations compare with it directly. Only the label changes: the network does what it did.
    /// </summary>
    private NetworkState UpgradeCniDefinition(NetworkState network, string definition)
    {
        using var held = _locks.Acquire(network.Id);
        if (!_networks.TryGetValue(network.Id, out var current)) throw PlexusException.NotFound($"network {network.Name} not found");
        var labels = new Dictionary<string, string>(current.Labels, StringComparer.Ordinal) { [CniDefinitionLabel] = definition };
        var upgraded = current with { Labels = labels };
        _store.Commit(new Store.StoreBatch().Put(upgraded));
        _networks[network.Id] = upgraded;
        return upgraded;
    }

    /// <summary>
    /// The container's sandbox: the one adopted for its first interface, or a new one adopting CNI_NETNS. A sandbox
    /// of that container id on another namespace is a leftover (the runtime lost the container without a DEL): it
    /// is removed first.
    /// </summary>
    private (Sandbox Sandbox, bool Created) CniSandboxFor(CniAttachRequest request)
    {
        lock (_cni)
        {
            if (_sandboxNames.TryGetValue(request.ContainerId, out var sandbox))
            {
                if (!IsCni(sandbox))
                    throw PlexusException.Conflict($"container id {request.ContainerId}: plexusd has a sandbox of that name that was not made through CNI; remove it or use another container id");
                var inode = Kernel.ProcFs.ProcessTable.InodeOf(request.NamespacePath);
                if (inode != 0 && inode == sandbox.State.NamespaceInode) return (sandbox, false);
                DeleteSandbox(sandbox.Id);
            }
            var created = CreateSandbox(new SandboxCreateRequest
            {
                Name = request.ContainerId,
                Mode = SandboxNamespaceMode.Path,
                NamespacePath = request.NamespacePath,
                Labels = new Dictionary<string, string>(StringComparer.Ordinal) { [CniContainerLabel] = request.ContainerId },
                DnsServers = request.DnsServers,
                DnsSearch = request.DnsSearch,
                DnsOptions = request.DnsOptions,
            });
            return (created, true);
        }
    }
}
