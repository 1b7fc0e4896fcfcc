using System.Text;
using Plexus.Engine.Drivers;
using Plexus.Engine.Model;
using Plexus.Engine.Ports;
using Plexus.Engine.Sandboxes;
using Plexus.Engine.Store;
using Plexus.Kernel.Namespaces;

namespace Plexus.Engine.Controller;

/// <summary>
/// Docker Engine's networks, endpoints and sandboxes, made through the network plugin protocol (plexusd's plugin
/// socket). Docker owns them (<see cref="Owners"/>): it has allocated their addresses already (its IPAM, which
/// is Plexus's when `--ipam-driver plexus`), it moves and configures the container's interface itself, and it
/// alone removes them. So these paths allocate and release no addresses, never enter the container's namespace,
/// and Plexus's own API refuses to change them (<see cref="RefuseDocker(NetworkState, string)"/>).
/// </summary>
/// <remarks>
/// A Docker sandbox is a record for a SandboxKey (Docker's namespace path), made at its first join and removed
/// when its last endpoint leaves; its <see cref="Sandbox.Namespace"/> is a handle on the host's namespace
/// (<see cref="Sandbox.RuntimeManaged"/>). Join makes the veth pair in the host's namespace: one end on the
/// bridge with the firewall's port identity as any join, the other (SrcName) for Docker to move into the container.
/// </remarks>
public sealed partial class NetworkController
{
    /// <summary>The driver Docker networks run on: Plexus's bridge.</summary>
    private const string DockerNetworkDriver = "bridge";

    /// <summary>Prefix of the interface a Docker join hands over (SrcName): not the bridge's "vpx", so nothing takes it for a host end.</summary>
    public const string DockerInterfacePrefix = "vdx";

    public bool TryGetEndpoint(string id, out EndpointState endpoint) => _endpoints.TryGetValue(id ?? "", out endpoint);

    /// <summary>Routes and addresses on the host that are no network's: what a default pool must not overlap (Docker's pools too).</summary>
    public IReadOnlyCollection<System.Net.IPNetwork> HostRoutedPrefixes() => HostPrefixes();

    /// <summary>
    /// NetworkDriver.CreateNetwork: a bridge network with Docker's id, options and subnets. Asked again for a
    /// network it made, it answers with it (Docker may retry a create whose answer it lost).
    /// </summary>
    public NetworkState CreateDockerNetwork(DockerNetworkRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!Ids.IsFullId(request.Id ?? ""))
            throw PlexusException.Invalid($"network id {RequestValidation.Show(request.Id)} is not a Docker network id (64 lowercase hex characters)");
        using var held = _locks.Acquire(request.Id!);
        if (_networks.TryGetValue(request.Id!, out var existing))
            return Owners.IsDocker(existing) ? existing
                : throw PlexusException.Conflict($"network id {Ids.Short(request.Id!)} is already Plexus's network {existing.Name}");
        var driver = _drivers.TryGetValue(DockerNetworkDriver, out var d) ? d
            : throw new PlexusException(ErrorKind.Internal, $"network driver '{DockerNetworkDriver}' is not available");
        CheckDockerSubnets(request);
        ReserveName(_reservedNetworkNames, request.Name, _networks.Values.Select(n => n.Name), "network");
        var state = new NetworkState
        {
            Id = request.Id!,
            Name = request.Name,
            Driver = driver.Name,
            Scope = DataScope.Local,
            Created = DateTimeOffset.UtcNow,
            Options = request.Options,
            Labels = Owners.DockerLabels,
            Internal = request.Internal,
            EnableIPv6 = request.EnableIPv6,
            IpamDriver = request.IpamDriver,
            Subnets = request.Subnets,
        };
        bool stored = false, created = false;
        try
        {
            driver.ValidateNetwork(state);
            _store.Commit(new StoreBatch().Put(state with { Pending = true })); // as CreateNetwork: a crash rolls it back
            stored = true;
            state = state with { DriverState = driver.CreateNetwork(state) };
            created = true;
            _store.Commit(new StoreBatch().Put(state));
            _networks[state.Id] = state;
            Events.Publish(ControllerEvent.NetworkCreated(state));
            return state;
        }
        catch (Exception e)
        {
            if (created) TryUndo(() => driver.DeleteNetwork(state));
            if (stored) TryUndo(() => _store.Commit(new StoreBatch().DeleteNetwork(state.Id)));
            throw Wrap(e, $"create network {request.Name} for Docker network {Ids.Short(request.Id!)}");
        }
        finally
        {
            lock (_names) _reservedNetworkNames.Remove(request.Name);
        }
    }

    /// <summary>Docker's subnets must be whole (gateway inside) and overlap no other network's: two bridges cannot route one subnet.</summary>
    private void CheckDockerSubnets(DockerNetworkRequest request)
    {
        foreach (var subnet in request.Subnets)
        {
            if (!subnet.Subnet.Contains(subnet.Gateway))
                throw PlexusException.Invalid($"Docker network {Ids.Short(request.Id)}: gateway {subnet.Gateway} is outside subnet {subnet.Subnet}");
            foreach (var other in _networks.Values)
                foreach (var taken in other.Subnets)
                    if (Ipam.IPMath.Overlaps(taken.Subnet, subnet.Subnet))
                        throw PlexusException.Conflict($"Docker network {Ids.Short(request.Id)}: subnet {subnet.Subnet} overlaps subnet {taken.Subnet} of network {other.Name}");
        }
    }

    /// <summary>
    /// NetworkDriver.DeleteNetwork: removes the bridge and the record. An unknown id is no error (Docker may retry).
    /// Docker removes a network only once it has no endpoints left: an endpoint Plexus still holds is one whose
    /// removal Docker never sent (a CreateEndpoint whose answer was lost, a call dropped while plexusd restarted),
    /// so it is left and deleted first, with whatever remains of its interface.
    /// </summary>
    public void DeleteDockerNetwork(string networkId)
    {
        if (!_networks.TryGetValue(networkId ?? "", out var network)) return;
        if (!Owners.IsDocker(network))
            throw new PlexusException(ErrorKind.Forbidden, $"network {network.Name} is Plexus's, not Docker's: Docker cannot remove it");
        foreach (var leftover in EndpointsOf(network)) DeleteDockerEndpoint(network.Id, leftover.Id);
        using var held = _locks.Acquire(network.Id);
        if (!_networks.TryGetValue(network.Id, out network)) return;
        if (!Owners.IsDocker(network))
            throw new PlexusException(ErrorKind.Forbidden, $"network {network.Name} is Plexus's, not Docker's: Docker cannot remove it");
        RemoveNetworkLocked(network, $"network {network.Name} (Docker network {Ids.Short(network.Id)})");
    }

    /// <summary>
    /// NetworkDriver.CreateEndpoint: the endpoint with Docker's id and the addresses Docker's IPAM gave (nothing is
    /// allocated); the bridge gives it a MAC when Docker gave none. Asked again for the same id, it answers with it.
    /// </summary>
    public EndpointState CreateDockerEndpoint(DockerEndpointRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!Ids.IsFullId(request.EndpointId ?? ""))
            throw PlexusException.Invalid($"endpoint id {RequestValidation.Show(request.EndpointId)} is not a Docker endpoint id (64 lowercase hex characters)");
        var network = DockerNetwork(request.NetworkId);
        using var held = _locks.Acquire(network.Id);
        if (!_networks.ContainsKey(network.Id)) throw PlexusException.NotFound($"network {Ids.Short(network.Id)} not found");
        if (_endpoints.TryGetValue(request.EndpointId!, out var existing))
            return existing.NetworkId == network.Id ? existing
                : throw PlexusException.Conflict($"endpoint {Ids.Short(request.EndpointId!)} already exists on another network");
        CheckAddress(network, request.IPv4, 4);
        CheckAddress(network, request.IPv6, 6);
        var name = Ids.Short(request.EndpointId!);
        if (!_endpoints.TryReserveName(network.Id, name))
            throw PlexusException.Conflict($"endpoint with name {name} already exists in network {network.Name}");
        try
        {
            var endpoint = DriverOf(network).CreateEndpoint(network, new EndpointState
            {
                Id = request.EndpointId!,
                Name = name,
                NetworkId = network.Id,
                Scope = network.Scope,
                IPv4 = request.IPv4,
                IPv6 = request.IPv6,
                Mac = request.Mac,
                Standalone = true, // made and deleted by Docker's calls, apart from its joins
            });
            _store.Commit(new StoreBatch().Put(endpoint));
            _endpoints[endpoint.Id] = endpoint;
            return endpoint;
        }
        catch (Exception e)
        {
            _endpoints.ReleaseName(network.Id, name);
            throw Wrap(e, $"create endpoint {name} on network {network.Name}");
        }
    }

    /// <summary>An address Docker gives must be in one of the network's subnets of its family.</summary>
    private static void CheckAddress(NetworkState network, Kernel.Types.IPPrefix? address, int version)
    {
        if (address is not { } a) return;
        if ((a.IsIPv4 ? 4 : 6) != version || !network.Subnets.Any(s => s.IpVersion == version && s.Subnet.Contains(a.Address)))
            throw PlexusException.Invalid($"address {a} is outside the subnets of network {network.Name} ({string.Join(", ", network.Subnets.Select(s => s.Subnet))})");
    }

    /// <summary>NetworkDriver.DeleteEndpoint: leaves first if still joined; releases published ports, never addresses (Docker does). Unknown: no error.</summary>
    public void DeleteDockerEndpoint(string networkId, string endpointId)
    {
        if (!_endpoints.TryGetValue(endpointId ?? "", out var endpoint) || endpoint.NetworkId != networkId) return;
        if (endpoint.SandboxId is not null) LeaveDocker(networkId, endpointId!);
        var network = DockerNetwork(networkId);
        using var held = _locks.Acquire(network.Id);
        if (!_endpoints.TryGetValue(endpointId!, out endpoint)) return;
        if (endpoint.SandboxId is not null)
            throw PlexusException.Conflict($"endpoint {endpoint.Name} on network {network.Name} was joined again meanwhile; try again");
        try
        {
            _store.Commit(new StoreBatch().DeleteEndpoint(endpoint.Id));
        }
        catch (Exception e)
        {
            throw Wrap(e, $"delete endpoint {endpoint.Name} on network {network.Name}");
        }
        _endpoints.TryRemove(endpoint.Id, out _);
        _ports.Release(endpoint.PortBindings, PortOwner(endpoint.Name, network));
    }

    /// <summary>
    /// NetworkDriver.Join: the veth pair in the host's namespace, one end on the bridge and guarded as every join's,
    /// the other handed to Docker to move into the namespace at <paramref name="sandboxKey"/>. Plexus configures
    /// nothing inside it. One sandbox record per key, shared by the key's endpoints on several networks.
    /// </summary>
    public DockerJoinResult JoinDocker(string networkId, string endpointId, string sandboxKey)
    {
        if (string.IsNullOrEmpty(sandboxKey) || !sandboxKey.StartsWith('/'))
            throw PlexusException.Invalid($"sandbox key {RequestValidation.Show(sandboxKey)} is not a namespace path");
        var network = DockerNetwork(networkId);
        var endpoint = DockerEndpoint(network, endpointId);
        while (true)
        {
            var sandbox = DockerSandboxFor(sandboxKey);
            using var held = LockForJoin(network, [sandbox.Id, endpoint.Id]);
            if (!_sandboxes.TryGetValue(sandbox.Id, out var live) || !ReferenceEquals(live, sandbox)) continue; // its last endpoint left meanwhile
            if (!_endpoints.TryGetValue(endpoint.Id, out endpoint)) throw PlexusException.NotFound($"endpoint {Ids.Short(endpointId)} not found on network {network.Name}");
            if (endpoint.SandboxId is { } joinedTo)
            {
                if (joinedTo == sandbox.Id && endpoint.Joined?.SourceInterface is { } source) return new DockerJoinResult(source, endpoint.Joined);
                throw new PlexusException(ErrorKind.Forbidden, $"endpoint {endpoint.Name} on network {network.Name} is already joined to another sandbox");
            }
            try
            {
                return JoinDockerLocked(network, endpoint, sandbox);
            }
            catch
            {
                if (!_endpoints.OfSandbox(sandbox.Id).Any()) RemoveDockerSandbox(sandbox);
                throw;
            }
        }
    }

    private DockerJoinResult JoinDockerLocked(NetworkState network, EndpointState endpoint, Sandbox sandbox)
    {
        var joined = EndpointsOf(sandbox);
        var candidate = endpoint with
        {
            SandboxId = sandbox.Id,
            InterfaceName = DockerInterfacePrefix + endpoint.Id[..12],
            JoinOrder = joined.Count == 0 ? 1 : joined.Max(e => e.JoinOrder) + 1,
        };
        var driver = DriverOf(network);
        JoinInfo info;
        try
        {
            info = driver.Join(network, candidate, sandbox);
        }
        catch (Exception e)
        {
            throw Wrap(e, $"join endpoint {endpoint.Name} to network {network.Name} for Docker");
        }
        candidate = candidate with { Joined = info.ToResult() };
        try
        {
            if (info.SourceInterface is null)
                throw new PlexusException(ErrorKind.Internal, $"network driver {driver.Name} made no interface for Docker to move in");
            (driver as ILinkingDriver)?.SetLinks(network, LinkFlowsOf(network, candidate));
            _store.Commit(new StoreBatch().Put(candidate));
        }
        catch (Exception e)
        {
            TryUndo(() => driver.Leave(network, candidate, sandbox));
            if (driver is ILinkingDriver linking) TryUndo(() => linking.SetLinks(network, LinkFlowsOf(network)));
            throw Wrap(e, $"join endpoint {endpoint.Name} to network {network.Name} for Docker");
        }
        _endpoints[candidate.Id] = candidate;
        Events.Publish(ControllerEvent.Connected(network, candidate, sandbox.State));
        return new DockerJoinResult(info.SourceInterface, candidate.Joined);
    }

    /// <summary>
    /// NetworkDriver.Leave: removes what is left of the pair (Docker moved its end back out, or its namespace went and
    /// took it) and the endpoint's rules; the endpoint stays for DeleteEndpoint. The sandbox record goes with its last
    /// endpoint. An unknown or unjoined endpoint is no error.
    /// </summary>
    public void LeaveDocker(string networkId, string endpointId)
    {
        if (!_endpoints.TryGetValue(endpointId ?? "", out var endpoint) || endpoint.NetworkId != networkId || endpoint.SandboxId is not { } sandboxId) return;
        if (!_networks.TryGetValue(endpoint.NetworkId, out var network) || !_sandboxes.TryGetValue(sandboxId, out var sandbox)) return;
        using var held = LockForJoin(network, [sandbox.Id]);
        if (!_endpoints.TryGetValue(endpoint.Id, out endpoint) || endpoint.SandboxId != sandbox.Id) return;
        var driver = DriverOf(network);
        var left = endpoint with { SandboxId = null, InterfaceName = null, JoinOrder = 0, Joined = null, PortBindings = [] };
        bool last = !EndpointsOf(sandbox).Any(e => e.Id != endpoint.Id);
        try
        {
            driver.Leave(network, endpoint, sandbox);
            var batch = new StoreBatch().Put(left);
            if (last) batch.DeleteSandbox(sandbox.Id);
            _store.Commit(batch);
        }
        catch (Exception e)
        {
            throw Wrap(e, $"leave network {network.Name} from Docker sandbox {sandbox.Name}");
        }
        _endpoints[left.Id] = left;
        _ports.Release(endpoint.PortBindings, PortOwner(endpoint.Name, network));
        Events.Publish(ControllerEvent.Disconnected(network, endpoint, sandbox.State));
        if (driver is ILinkingDriver linking) TryUndo(() => linking.SetLinks(network, LinkFlowsOf(network)));
        if (last) ForgetDockerSandbox(sandbox);
    }

    /// <summary>
    /// NetworkDriver.ProgramExternalConnectivity: publishes the joined endpoint's ports (Docker's portmap; a host port
    /// of 0 gets a free one, a range HostPort-HostPortEnd the first free one in it) with the bridge's port rules,
    /// replacing any it published before. Returns the bindings as published.
    /// </summary>
    public IReadOnlyList<PortBinding> PublishDockerPorts(string networkId, string endpointId, IReadOnlyList<(PortBinding Binding, int HostPortEnd)> ports,
        IReadOnlyList<string> exposedPorts)
    {
        ArgumentNullException.ThrowIfNull(ports);
        ArgumentNullException.ThrowIfNull(exposedPorts);
        var network = DockerNetwork(networkId);
        var endpoint = DockerEndpoint(network, endpointId);
        if (endpoint.SandboxId is not { } sandboxId)
            throw PlexusException.Conflict($"endpoint {endpoint.Name} on network {network.Name} is not joined: ports are published after the join");
        using var held = LockForJoin(network, [sandboxId]);
        if (!_endpoints.TryGetValue(endpoint.Id, out endpoint) || endpoint.SandboxId != sandboxId)
            throw PlexusException.NotFound($"endpoint {Ids.Short(endpointId)} left network {network.Name} meanwhile");
        if (ports.Count > 0 && !CapabilitiesOf(network).PublishesPorts || DriverOf(network) is not IPortPublishingDriver publisher)
            throw PlexusException.Invalid($"ports cannot be published on network {network.Name}: its driver ({network.Driver}) does not publish ports");
        if (ports.Count == 0 && endpoint.PortBindings.Count == 0)
        {
            // dockerd calls this after every join, mostly with no ports: no firewall change then, only what it exposes.
            if (!endpoint.ExposedPorts.SequenceEqual(exposedPorts, StringComparer.Ordinal))
            {
                var exposing = endpoint with { ExposedPorts = exposedPorts };
                try
                {
                    _store.Commit(new StoreBatch().Put(exposing));
                }
                catch (Exception e)
                {
                    throw Wrap(e, $"record the exposed ports of endpoint {endpoint.Name} on network {network.Name}");
                }
                _endpoints[exposing.Id] = exposing;
            }
            return [];
        }
        var owner = PortOwner(endpoint.Name, network);
        _ports.Release(endpoint.PortBindings, owner);
        var reserved = new List<PortBinding>();
        try
        {
            foreach (var (binding, end) in ports) reserved.AddRange(ReserveInRange(binding, end, owner));
            var after = endpoint with { PortBindings = reserved, ExposedPorts = exposedPorts };
            publisher.SetPorts(network, endpoint, after);
            try
            {
                _store.Commit(new StoreBatch().Put(after));
            }
            catch
            {
                TryUndo(() => publisher.SetPorts(network, after, endpoint));
                throw;
            }
            _endpoints[after.Id] = after;
            return reserved;
        }
        catch (Exception e)
        {
            _ports.Release(reserved, owner);
            _ports.Restore(endpoint.PortBindings, owner);
            throw Wrap(e, $"publish ports of endpoint {endpoint.Name} on network {network.Name}");
        }
    }

    /// <summary>A binding whose host port is a range (Docker's HostPort-HostPortEnd) takes the first free port of it.</summary>
    private IReadOnlyList<PortBinding> ReserveInRange(PortBinding binding, int end, string owner)
    {
        if (binding.HostPort == 0 || end <= binding.HostPort) return _ports.Reserve([binding], owner);
        PlexusException? last = null;
        for (int port = binding.HostPort; port <= end; port++)
        {
            try
            {
                return _ports.Reserve([binding with { HostPort = port }], owner);
            }
            catch (PlexusException e) when (e.Kind == ErrorKind.Conflict)
            {
                last = e;
            }
        }
        throw PlexusException.Conflict($"every host port of {binding.HostPort}-{end}/{binding.ProtocolName} is already published ({last?.Message})");
    }

    /// <summary>NetworkDriver.RevokeExternalConnectivity: the endpoint's published ports go. Unknown or unjoined: nothing to do.</summary>
    public void RevokeDockerPorts(string networkId, string endpointId)
    {
        if (!_endpoints.TryGetValue(endpointId ?? "", out var endpoint) || endpoint.NetworkId != networkId
            || endpoint.SandboxId is null || endpoint.PortBindings.Count == 0) return;
        PublishDockerPorts(networkId, endpointId!, [], endpoint.ExposedPorts);
    }

    /// <summary>The sandbox of a Docker namespace path, made at its first join: a record only, never a handle on the container's namespace.</summary>
    private Sandbox DockerSandboxFor(string sandboxKey)
    {
        var name = DockerSandboxName(sandboxKey);
        for (int attempt = 0; ; attempt++)
        {
            if (_sandboxNames.TryGetValue(name, out var known))
                return known.RuntimeManaged && known.State.NamespacePath == sandboxKey ? known
                    : throw PlexusException.Conflict($"sandbox name {name} for Docker's namespace {sandboxKey} is taken by sandbox {known.Id[..12]} ({known.State.NamespacePath})");
            try
            {
                ReserveName(_reservedSandboxNames, name, _sandboxes.Values.Select(s => s.Name), "sandbox");
                break;
            }
            catch (PlexusException e) when (e.Kind == ErrorKind.Conflict && attempt < 100)
            {
                Thread.Sleep(10); // a join on another network of the same container is making it: take that one
            }
        }
        NetworkNamespace? ns = null;
        try
        {
            var state = new SandboxState
            {
                Id = Ids.New(),
                Name = name,
                NamespacePath = sandboxKey,
                Owned = false,
                Labels = Owners.DockerLabels,
                Created = DateTimeOffset.UtcNow,
            };
            ns = NetworkNamespace.OpenProcess(); // the host's: see Sandbox.RuntimeManaged
            var sandbox = new Sandbox(state, ns, isHostNamespace: false);
            _store.Commit(new StoreBatch().Put(state));
            AddSandbox(sandbox);
            Events.Publish(ControllerEvent.SandboxCreated(state));
            return sandbox;
        }
        catch (Exception e)
        {
            ns?.Dispose();
            throw Wrap(e, $"create sandbox {name} for Docker's namespace {sandboxKey}");
        }
        finally
        {
            lock (_names) _reservedSandboxNames.Remove(name);
        }
    }

    /// <summary>"docker-" and the key's last part (Docker's sandbox id, 12 hex), with anything a name may not hold replaced.</summary>
    public static string DockerSandboxName(string sandboxKey)
    {
        ArgumentNullException.ThrowIfNull(sandboxKey);
        var last = Path.GetFileName(sandboxKey.TrimEnd('/'));
        var name = new StringBuilder("docker-", 7 + last.Length);
        foreach (var c in last) name.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-' ? c : '_');
        return name.ToString();
    }

    /// <summary>A sandbox whose join failed before it had any endpoint: its record goes again.</summary>
    private void RemoveDockerSandbox(Sandbox sandbox)
    {
        TryUndo(() => _store.Commit(new StoreBatch().DeleteSandbox(sandbox.Id)));
        ForgetDockerSandbox(sandbox);
    }

    private void ForgetDockerSandbox(Sandbox sandbox)
    {
        if (!RemoveSandbox(sandbox)) return;
        Events.Publish(ControllerEvent.SandboxRemoved(sandbox.State));
        ForgetNames(sandbox);
        sandbox.Dispose();
    }

    private NetworkState DockerNetwork(string networkId)
    {
        if (!_networks.TryGetValue(networkId ?? "", out var network))
            throw PlexusException.NotFound($"network {RequestValidation.Show(networkId)} not found: Docker has not created it through this plugin, or it was removed");
        return Owners.IsDocker(network) ? network
            : throw new PlexusException(ErrorKind.Forbidden, $"network {network.Name} is Plexus's own, not Docker's: Docker cannot use it through the plugin");
    }

    private EndpointState DockerEndpoint(NetworkState network, string endpointId) =>
        _endpoints.TryGetValue(endpointId ?? "", out var endpoint) && endpoint.NetworkId == network.Id ? endpoint
            : throw PlexusException.NotFound($"endpoint {RequestValidation.Show(endpointId)} not found on network {network.Name}");

    /// <summary>Plexus's own API does not change what Docker owns: Docker would not know, and would act on what is no longer there.</summary>
    private static void RefuseDocker(NetworkState network, string action)
    {
        if (Owners.IsDocker(network))
            throw new PlexusException(ErrorKind.Forbidden,
                $"network {network.Name} belongs to Docker (created with docker network create -d plexus): Plexus does not {action} it; use the docker CLI (docker network rm, connect, disconnect)");
    }

    private static void RefuseDocker(Sandbox sandbox, string action)
    {
        if (sandbox.RuntimeManaged)
            throw new PlexusException(ErrorKind.Forbidden,
                $"sandbox {sandbox.Name} is a Docker container's: Plexus does not {action} it; use the docker CLI (docker rm, docker network disconnect)");
    }
}
