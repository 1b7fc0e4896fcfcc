using Plexus.Engine.Model;
using Plexus.Engine.Store;

namespace Plexus.Engine.Controller;

public sealed partial class NetworkController
{
    /// <summary>Creates an endpoint on a network: allocates its addresses and stores it (no kernel work yet).</summary>
    public EndpointState CreateEndpoint(string networkReference, EndpointCreateRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        RequestValidation.Check(request);
        var network = GetNetwork(networkReference);
        RefuseDocker(network, "add endpoints to");
        using var _ = _locks.Acquire(network.Id);
        return CreateEndpointLocked(network, request, store: true);
    }

    /// <summary>
    /// Allocates an endpoint's addresses and ports. With <paramref name="store"/> false the endpoint is not
    /// yet committed: `network connect` commits it once, joined, so a crash never leaves it half-made.
    /// </summary>
    private EndpointState CreateEndpointLocked(NetworkState network, EndpointCreateRequest request, bool store)
    {
        if (!_networks.ContainsKey(network.Id)) throw PlexusException.NotFound($"network {network.Name} not found");
        if (network.ConfigOnly) throw new PlexusException(ErrorKind.Forbidden, "cannot create endpoint on configuration-only network");
        var id = Ids.New();
        var name = request.Name ?? id;
        // Reserved, not just checked: joins on one network run side by side (LockForJoin shares the network's lock).
        if (!_endpoints.TryReserveName(network.Id, name))
            throw PlexusException.Conflict($"endpoint with name {name} already exists in network {network.Name}");
        var driver = DriverOf(network);
        var endpoint = new EndpointState
        {
            Id = id,
            Name = name,
            NetworkId = network.Id,
            Scope = network.Scope,
            Mac = request.Mac,
            Aliases = request.Aliases,
            GatewayPriority = request.GatewayPriority,
            ExposedPorts = request.ExposedPorts,
            RequestedIPv4 = request.IPv4Address,
            RequestedIPv6 = request.IPv6Address,
            LinkLocalAddresses = request.LinkLocalAddresses,
            Links = request.Links,
            DriverOptions = request.DriverOptions,
        };
        var allocated = new List<System.Net.IPAddress>();
        IReadOnlyList<Ports.PortBinding> ports = [];
        try
        {
            if (request.PublishedPorts.Count > 0)
            {
                if (!driver.Capabilities.PublishesPorts)
                    throw PlexusException.Invalid($"ports cannot be published on network {network.Name}: its driver ({network.Driver}) does not publish ports");
                ports = _ports.Reserve(request.PublishedPorts, PortOwner(name, network));
                endpoint = endpoint with { PortBindings = ports };
            }
            if (network.Subnets.Any(s => s.IpVersion == 4))
            {
                var v4 = _ipam.Allocate(network.Id, 4, request.IPv4Address);
                allocated.Add(v4.Address);
                endpoint = endpoint with { IPv4 = v4 };
            }
            else if (request.IPv4Address is not null)
            {
                throw PlexusException.Invalid($"network {network.Name} has no IPv4 subnet for address {request.IPv4Address}");
            }
            if (network.EnableIPv6 && network.Subnets.Any(s => s.IpVersion == 6))
            {
                var v6 = _ipam.Allocate(network.Id, 6, request.IPv6Address);
                allocated.Add(v6.Address);
                endpoint = endpoint with { IPv6 = v6 };
            }
            else if (request.IPv6Address is not null)
            {
                throw PlexusException.Invalid($"network {network.Name} does not have IPv6 enabled, so address {request.IPv6Address} cannot be assigned");
            }
            endpoint = driver.CreateEndpoint(network, endpoint) with { Standalone = store };
            if (store) _store.Commit(new StoreBatch().Put(endpoint));
        }
        catch (Exception e)
        {
            foreach (var address in allocated) _ipam.Release(network.Id, address);
            _ports.Release(ports, PortOwner(name, network));
            _endpoints.ReleaseName(network.Id, name);
            throw Wrap(e, $"create endpoint {name} on network {network.Name}");
        }
        if (store) _endpoints[endpoint.Id] = endpoint;
        return endpoint;
    }

    /// <summary>Gives back the addresses and host ports <see cref="CreateEndpointLocked"/> took.</summary>
    private void ReleaseResources(NetworkState network, EndpointState endpoint)
    {
        // Docker's addresses are released by Docker (IpamDriver.ReleaseAddress), not with the endpoint.
        if (endpoint.IPv4 is { } v4 && !Owners.IsDocker(network)) _ipam.Release(network.Id, v4.Address);
        if (endpoint.IPv6 is { } v6 && !Owners.IsDocker(network)) _ipam.Release(network.Id, v6.Address);
        _ports.Release(endpoint.PortBindings, PortOwner(endpoint.Name, network));
    }

    /// <summary>Deletes an endpoint that is not joined, releasing its addresses.</summary>
    public void DeleteEndpoint(string networkReference, string endpointReference)
    {
        var network = GetNetwork(networkReference);
        RefuseDocker(network, "remove endpoints of");
        using var _ = _locks.Acquire(network.Id);
        var endpoint = GetEndpoint(network.Id, endpointReference);
        if (endpoint.SandboxId is { } sandboxId)
            throw new PlexusException(ErrorKind.Forbidden,
                $"endpoint {endpoint.Name} is still joined to sandbox {(_sandboxes.TryGetValue(sandboxId, out var s) ? s.Name : sandboxId)}; leave first");
        DeleteEndpointLocked(network, endpoint);
    }

    private void DeleteEndpointLocked(NetworkState network, EndpointState endpoint)
    {
        try
        {
            _store.Commit(new StoreBatch().DeleteEndpoint(endpoint.Id));
        }
        catch (Exception e)
        {
            throw Wrap(e, $"delete endpoint {endpoint.Name} on network {network.Name}");
        }
        _endpoints.TryRemove(endpoint.Id, out _);
        ReleaseResources(network, endpoint);
    }

    /// <summary>Who holds a host port, in the words of the conflict error.</summary>
    private static string PortOwner(string endpointName, NetworkState network) => $"{endpointName} on network {network.Name}";
}
