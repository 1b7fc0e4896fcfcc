using Plexus.Engine.Drivers;
using Plexus.Engine.Model;
using Plexus.Engine.Sandboxes;
using Plexus.Engine.Store;
using Plexus.Kernel.Namespaces;
using Plexus.Kernel.Rtnl;
using Plexus.Kernel.Types;

namespace Plexus.Engine.Controller;

public sealed partial class NetworkController
{
    /// <summary>`network connect`: creates an endpoint named after the sandbox and joins it.</summary>
    public EndpointState Connect(string networkReference, string sandboxReference, EndpointCreateRequest? request = null)
    {
        if (request is not null) RequestValidation.Check(request);
        var network = GetNetwork(networkReference);
        var sandbox = GetSandbox(sandboxReference);
        using var _ = LockForJoin(network, [sandbox.Id]);
        CheckJoinAllowed(network, sandbox);
        // Allocated but not stored: the join stores it once, joined (one write, nothing half-made on a crash).
        var endpoint = CreateEndpointLocked(network, (request ?? new EndpointCreateRequest()) with { Name = request?.Name ?? sandbox.Name }, store: false);
        try
        {
            return JoinLocked(network, endpoint, sandbox);
        }
        catch
        {
            ReleaseResources(network, endpoint);
            throw;
        }
    }

    /// <summary>
    /// `network disconnect`: leaves and deletes the sandbox's endpoint on the network, in one store write. With
    /// <paramref name="force"/>, as Docker's `-f`, a reference that names no sandbox (or a sandbox not joined
    /// there) removes the network's endpoint of that name, whatever became of its sandbox.
    /// </summary>
    public void Disconnect(string networkReference, string sandboxReference, bool force = false)
    {
        var network = GetNetwork(networkReference);
        Sandbox sandbox;
        try
        {
            sandbox = GetSandbox(sandboxReference);
        }
        catch (PlexusException e) when (force && e.Kind == ErrorKind.NotFound)
        {
            DeleteEndpointByName(network, sandboxReference);
            return;
        }
        using (var _ = LockForJoin(network, [sandbox.Id]))
        {
            if (_endpoints.OfSandbox(sandbox.Id).FirstOrDefault(e => e.NetworkId == network.Id) is { } endpoint)
            {
                LeaveLocked(network, endpoint, sandbox, delete: true);
                return;
            }
        }
        if (!force) throw PlexusException.NotFound($"sandbox {sandbox.Name} is not connected to network {network.Name}");
        DeleteEndpointByName(network, sandboxReference);
    }

    /// <summary>`network disconnect -f NAME` when NAME is no joined sandbox: the endpoint is left (if joined) and deleted.</summary>
    private void DeleteEndpointByName(NetworkState network, string name)
    {
        var endpoint = GetEndpoint(network.Id, name);
        var owner = endpoint.SandboxId is { } id && _sandboxes.TryGetValue(id, out var s) ? s : null;
        using var _ = owner is null ? _locks.Acquire(network.Id) : _locks.Acquire(network.Id, owner.Id);
        if (!_endpoints.TryGetValue(endpoint.Id, out endpoint)) throw PlexusException.NotFound($"endpoint {name} not found on network {network.Name}");
        if (owner is not null && endpoint.SandboxId == owner.Id) LeaveLocked(network, endpoint, owner, delete: true);
        else if (endpoint.SandboxId is null) DeleteEndpointLocked(network, endpoint);
        else throw PlexusException.Conflict($"endpoint {endpoint.Name} on network {network.Name} was joined meanwhile; try again");
    }

    /// <summary>Joins an existing endpoint to a sandbox.</summary>
    public EndpointState Join(string networkReference, string endpointReference, string sandboxReference)
    {
        var network = GetNetwork(networkReference);
        var sandbox = GetSandbox(sandboxReference);
        // The endpoint alone too: with the network shared, two sandboxes could otherwise take it at once.
        var id = GetEndpoint(network.Id, endpointReference).Id;
        using var _ = LockForJoin(network, [sandbox.Id, id]);
        var endpoint = _endpoints.TryGetValue(id, out var current) ? current
            : throw PlexusException.NotFound($"endpoint {endpointReference} not found on network {network.Name}");
        CheckJoinAllowed(network, sandbox);
        return JoinLocked(network, endpoint, sandbox);
    }

    /// <summary>Leaves; an endpoint made by `network connect` (not <see cref="EndpointState.Standalone"/>) is deleted with it.</summary>
    public void Leave(string networkReference, string endpointReference, string sandboxReference)
    {
        var network = GetNetwork(networkReference);
        var sandbox = GetSandbox(sandboxReference);
        using var _ = LockForJoin(network, [sandbox.Id]);
        LeaveLocked(network, GetEndpoint(network.Id, endpointReference), sandbox, delete: false);
    }

    /// <summary>
    /// The locks of a join or leave: the sandbox alone, the network shared, so attaches to one network run side
    /// by side (each touches only its own endpoint; IPAM, ports, names, the firewall and the store guard
    /// themselves) while deleting the network waits for them. Link exceptions are computed from every endpoint
    /// of the network, so while any sandbox has links, joins and leaves take their network alone.
    /// </summary>
    private ObjectLocks.Releaser LockForJoin(NetworkState network, string[] mine) =>
        Volatile.Read(ref _linkingSandboxes) == 0
            ? _locks.Acquire(mine, [network.Id])
            : _locks.Acquire([.. mine, network.Id], []);

    private void CheckJoinAllowed(NetworkState network, Sandbox sandbox)
    {
        if (!_networks.ContainsKey(network.Id)) throw PlexusException.NotFound($"network {network.Name} not found");
        if (network.ConfigOnly) throw new PlexusException(ErrorKind.Forbidden, "cannot create endpoint on configuration-only network");
        if (!_sandboxes.ContainsKey(sandbox.Id)) throw PlexusException.NotFound($"sandbox {sandbox.Name} not found");
        var joined = EndpointsOf(sandbox);
        if (joined.Any(e => e.NetworkId == network.Id))
            throw new PlexusException(ErrorKind.Forbidden, $"sandbox {sandbox.Name} is already connected to network {network.Name}");
        if (network.Driver == "host" && !sandbox.IsHostNamespace)
            throw PlexusException.Invalid($"sandbox {sandbox.Name} has its own network namespace and cannot join the host network {network.Name}");
        if (sandbox.IsHostNamespace && network.Driver != "host")
            throw PlexusException.Invalid($"sandbox {sandbox.Name} shares the host's network namespace and cannot join network {network.Name}");
        var nullNetworks = _networks.Values.Where(n => n.Driver == "null").Select(n => n.Id).ToHashSet();
        if (network.Driver == "null" && joined.Count > 0)
            throw PlexusException.Invalid($"sandbox {sandbox.Name} is connected to other networks and cannot also join network {network.Name}");
        if (network.Driver != "null" && joined.Any(e => nullNetworks.Contains(e.NetworkId)))
            throw PlexusException.Invalid($"sandbox {sandbox.Name} is on the null network and cannot also join network {network.Name}");
    }

    private EndpointState JoinLocked(NetworkState network, EndpointState endpoint, Sandbox sandbox)
    {
        if (endpoint.SandboxId is { } other)
            throw new PlexusException(ErrorKind.Forbidden,
                $"endpoint {endpoint.Name} is already joined to sandbox {(_sandboxes.TryGetValue(other, out var s) ? s.Name : other)}");
        var joined = EndpointsOf(sandbox);
        var used = joined.Select(e => e.InterfaceName).ToHashSet(StringComparer.Ordinal);
        int n = 0;
        while (used.Contains($"eth{n}")) n++;
        var candidate = endpoint with
        {
            SandboxId = sandbox.Id,
            InterfaceName = $"eth{n}",
            JoinOrder = joined.Count == 0 ? 1 : joined.Max(e => e.JoinOrder) + 1,
        };
        var driver = DriverOf(network);
        var before = GatewayEndpoint(joined);
        JoinInfo info;
        var resolver = StartResolver(network, sandbox); // in the sandbox's namespace, while the driver works
        try
        {
            info = driver.Join(network, candidate, sandbox);
        }
        catch (Exception e)
        {
            StopResolver(resolver, sandbox);
            throw Wrap(e, $"join sandbox {sandbox.Name} to network {network.Name}");
        }
        try
        {
            WaitResolver(resolver, sandbox);
            bool gateway = GatewayEndpoint([.. joined, candidate])?.Id == candidate.Id;
            if (info.ConfigureInterface) ConfigureInterface(sandbox, candidate, info, gateway ? info : null);
            else if (gateway) SetDefaultRoutes(sandbox, candidate, info);
            driver.SetLinks(network, LinkFlowsOf(network, candidate));
            // One store write on the hot path, after the kernel work: a crash before it leaves a veth no
            // record claims, which the next start removes (CollectGarbage).
            _store.Commit(new StoreBatch().Put(candidate));
        }
        catch (Exception e)
        {
            TryUndo(() => driver.Leave(network, candidate, sandbox));
            TryUndo(() => driver.SetLinks(network, LinkFlowsOf(network)));
            if (before is not null && GatewayEndpoint([.. joined, candidate])?.Id == candidate.Id)
                TryUndo(() => SetDefaultRoutes(sandbox, before, GatewayInfo(before)));
            StopResolver(resolver, sandbox);
            throw Wrap(e, $"join sandbox {sandbox.Name} to network {network.Name}");
        }
        _endpoints[candidate.Id] = candidate;
        PublishNames(network, candidate, sandbox);
        RefreshFiles(sandbox);
        Events.Publish(ControllerEvent.Connected(network, candidate, sandbox.State));
        return candidate;
    }

    /// <summary>
    /// Leaves, and with <paramref name="delete"/> (or for an endpoint that exists only while joined) deletes the
    /// endpoint in the same store write as the leave: a crash can never leave an endpoint that belongs to no sandbox.
    /// </summary>
    private void LeaveLocked(NetworkState network, EndpointState endpoint, Sandbox sandbox, bool delete)
    {
        if (endpoint.SandboxId != sandbox.Id)
            throw PlexusException.NotFound($"endpoint {endpoint.Name} is not joined to sandbox {sandbox.Name}");
        delete |= !endpoint.Standalone;
        var joined = EndpointsOf(sandbox);
        bool wasGateway = GatewayEndpoint(joined)?.Id == endpoint.Id;
        var left = endpoint with { SandboxId = null, InterfaceName = null, JoinOrder = 0 };
        try
        {
            DriverOf(network).Leave(network, endpoint, sandbox);
            _store.Commit(delete ? new StoreBatch().DeleteEndpoint(endpoint.Id) : new StoreBatch().Put(left));
        }
        catch (Exception e)
        {
            throw Wrap(e, $"leave network {network.Name} from sandbox {sandbox.Name}");
        }
        if (delete)
        {
            _endpoints.TryRemove(endpoint.Id, out _);
            ReleaseResources(network, endpoint);
        }
        else
        {
            _endpoints[left.Id] = left;
        }
        WithdrawNames(network, endpoint, sandbox);
        TryUndo(() => DriverOf(network).SetLinks(network, LinkFlowsOf(network)));
        if (wasGateway && GatewayEndpoint(EndpointsOf(sandbox)) is { } next)
            TryUndo(() => SetDefaultRoutes(sandbox, next, GatewayInfo(next)));
        RefreshFiles(sandbox);
        Events.Publish(ControllerEvent.Disconnected(network, endpoint, sandbox.State));
    }

    /// <summary>
    /// Brings the new interface up with its addresses (lo is up since the sandbox was made) and, for the
    /// gateway endpoint, the default routes: one datagram to the kernel for all of it. IPv6 is on only where
    /// the network has it: sandboxes Plexus creates start with IPv6 off for new interfaces (no stray router
    /// solicitations or DAD flooding the bridge, no IPv6 on IPv4-only networks, as Docker does since
    /// CVE-2024-32473), so it is switched on here for IPv6 networks, and switched off for IPv4-only ones in
    /// adopted namespaces, whose defaults are not Plexus's.
    /// </summary>
    private static void ConfigureInterface(Sandbox sandbox, EndpointState endpoint, JoinInfo info, JoinInfo? routes)
    {
        var rt = sandbox.Netlink;
        var name = endpoint.InterfaceName!;
        bool v6 = endpoint.IPv6 is not null || endpoint.LinkLocalAddresses.Any(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6);
        if (v6) sandbox.Namespace.SetSysctl(Sysctl.DisableIPv6(name), "0");
        else if (!sandbox.State.Owned) sandbox.Namespace.SetSysctl(Sysctl.DisableIPv6(name), "1");
        int index = info.InterfaceIndex ?? rt.GetLink(name).Index;
        var batch = rt.Batch().SetLink(index, new LinkChanges { Up = true });
        if (endpoint.IPv4 is { } v4) batch.AddAddress(index, v4);
        if (endpoint.IPv6 is { } v6Address) batch.AddAddress(index, v6Address, AddressFlags.NoDad);
        foreach (var extra in endpoint.LinkLocalAddresses)
            batch.AddAddress(index, new IPPrefix(extra, extra.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 16 : 64), AddressFlags.NoDad);
        if (routes?.GatewayV4 is { } gw4) batch.ReplaceRoute(Route.DefaultVia(gw4, index));
        if (routes?.GatewayV6 is { } gw6) batch.ReplaceRoute(Route.DefaultVia(gw6, index));
        batch.Execute();
    }

    private static void SetDefaultRoutes(Sandbox sandbox, EndpointState endpoint, JoinInfo info, int? knownIndex = null)
    {
        var rt = sandbox.Netlink;
        int index = knownIndex ?? rt.GetLink(endpoint.InterfaceName!).Index;
        if (info.GatewayV4 is { } gw4) rt.ReplaceRoute(Route.DefaultVia(gw4, index));
        if (info.GatewayV6 is { } gw6) rt.ReplaceRoute(Route.DefaultVia(gw6, index));
    }

    /// <summary>Gateways an already joined endpoint offers (internal networks offer none).</summary>
    private JoinInfo GatewayInfo(EndpointState endpoint)
    {
        if (!_networks.TryGetValue(endpoint.NetworkId, out var network) || !DriverTraits.OffersGateway(network, _drivers.GetValueOrDefault(network.Driver)))
            return JoinInfo.None;
        return new JoinInfo
        {
            GatewayV4 = network.Subnets.FirstOrDefault(s => s.IpVersion == 4)?.Gateway,
            GatewayV6 = network.EnableIPv6 ? network.Subnets.FirstOrDefault(s => s.IpVersion == 6)?.Gateway : null,
        };
    }

    /// <summary>The endpoint that gives the sandbox its default route: highest priority, ties to the first joined.</summary>
    private EndpointState? GatewayEndpoint(IEnumerable<EndpointState> joined) =>
        joined.Where(e => GatewayInfo(e) is { GatewayV4: not null } or { GatewayV6: not null })
            .OrderByDescending(e => e.GatewayPriority)
            .ThenBy(e => e.JoinOrder)
            .FirstOrDefault();
}
