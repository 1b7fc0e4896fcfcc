using Plexus.Engine.Drivers;
using Plexus.Engine.Model;
using Plexus.Engine.Sandboxes;
using Plexus.Engine.Store;

namespace Plexus.Engine.Controller;

public sealed partial class NetworkController
{
    /// <summary>`network connect`: creates an endpoint named after the sandbox and joins it.</summary>
    public EndpointState Connect(string networkReference, string sandboxReference, EndpointCreateRequest? request = null)
    {
        if (request is not null) RequestValidation.Check(request);
        var network = GetNetwork(networkReference);
        var sandbox = GetSandbox(sandboxReference);
        RefuseDocker(network, "connect sandboxes to");
        RefuseDocker(sandbox, "connect");
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
            _endpoints.ReleaseName(network.Id, endpoint.Name); // a join that never stored it: its reservation
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
        RefuseDocker(network, "disconnect sandboxes from");
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
        RefuseDocker(network, "join endpoints of");
        RefuseDocker(sandbox, "join");
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
        RefuseDocker(network, "leave endpoints of");
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
        JoinRules.Check(network, CapabilitiesOf(network), sandbox.Name, sandbox.IsHostNamespace,
            [.. joined.Select(e => _networks.TryGetValue(e.NetworkId, out var n) ? (n, CapabilitiesOf(n)) : default).Where(p => p.Item1 is not null)]);
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
        var before = GatewayChoice.Of(joined);
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
        candidate = candidate with { Joined = info.ToResult() };
        bool gateway = GatewayChoice.Of([.. joined, candidate])?.Id == candidate.Id;
        try
        {
            WaitResolver(resolver, sandbox);
            int? index = MoveIntoSandbox(sandbox, candidate, info) ?? info.InterfaceIndex;
            if (info.ConfigureInterface) ConfigureInterface(sandbox, candidate, index, gateway);
            else if (gateway) SetDefaultRoutes(sandbox, candidate);
            (driver as ILinkingDriver)?.SetLinks(network, LinkFlowsOf(network, candidate));
            // One store write on the hot path, after the kernel work: a crash before it leaves a veth no
            // record claims, which the next start removes (CollectGarbage).
            _store.Commit(new StoreBatch().Put(candidate));
        }
        catch (Exception e)
        {
            TryUndo(() => MoveOutOfSandbox(sandbox, candidate));
            TryUndo(() => driver.Leave(network, candidate, sandbox));
            if (driver is ILinkingDriver linking) TryUndo(() => linking.SetLinks(network, LinkFlowsOf(network)));
            if (before is not null && gateway) TryUndo(() => SetDefaultRoutes(sandbox, before));
            StopResolver(resolver, sandbox);
            throw Wrap(e, $"join sandbox {sandbox.Name} to network {network.Name}");
        }
        _endpoints[candidate.Id] = candidate;
        // The DNS registry follows the event (RegistryFeed): the names resolve before this returns.
        Events.Publish(ControllerEvent.Connected(network, candidate, sandbox.State));
        ConfigureResolver(sandbox);
        RefreshFiles(sandbox);
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
        bool wasGateway = GatewayChoice.Of(joined)?.Id == endpoint.Id;
        var left = endpoint with { SandboxId = null, InterfaceName = null, JoinOrder = 0, Joined = null };
        var driver = DriverOf(network);
        try
        {
            MoveOutOfSandbox(sandbox, endpoint);
            driver.Leave(network, endpoint, sandbox);
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
        // First, as it is committed: the DNS registry withdraws the names as it follows the event (RegistryFeed),
        // and the resolver stops if no network with names remains, before the files say whether it serves.
        Events.Publish(ControllerEvent.Disconnected(network, endpoint, sandbox.State));
        StopResolverIfUnused(sandbox);
        if (driver is ILinkingDriver linking) TryUndo(() => linking.SetLinks(network, LinkFlowsOf(network)));
        if (wasGateway && GatewayChoice.Of(EndpointsOf(sandbox)) is { } next)
            TryUndo(() => SetDefaultRoutes(sandbox, next));
        RefreshFiles(sandbox);
    }

    /// <summary>Through <see cref="ISandboxNetworking"/> (the kernel, or a unit test's stand-in).</summary>
    private void ConfigureInterface(Sandbox sandbox, EndpointState endpoint, int? knownIndex, bool defaultRoutes) =>
        _networking.ConfigureInterface(sandbox, endpoint, knownIndex, defaultRoutes);

    private void SetDefaultRoutes(Sandbox sandbox, EndpointState endpoint, int? knownIndex = null) =>
        _networking.SetDefaultRoutes(sandbox, endpoint, knownIndex);

    private int? MoveIntoSandbox(Sandbox sandbox, EndpointState endpoint, JoinInfo info) =>
        _networking.MoveIntoSandbox(sandbox, endpoint, info);

    private void MoveOutOfSandbox(Sandbox sandbox, EndpointState endpoint) =>
        _networking.MoveOutOfSandbox(sandbox, endpoint);
}
