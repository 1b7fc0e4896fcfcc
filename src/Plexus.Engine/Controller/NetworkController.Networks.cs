using System.Net;
using Plexus.Engine.Ipam;
using Plexus.Engine.Model;
using Plexus.Engine.Store;

namespace Plexus.Engine.Controller;

public sealed partial class NetworkController
{
    public NetworkState CreateNetwork(NetworkCreateRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        RequestValidation.Check(request);
        request = NetworkConfigs.Resolve(request, _networks.Values);
        if (request.ConfigOnly) return CreateConfigOnly(request);
        if (!_drivers.TryGetValue(request.Driver, out var driver))
            throw PlexusException.NotFound($"network driver '{request.Driver}' is not available (available: {string.Join(", ", _drivers.Keys.Order())})");
        _ipam.Drivers.Get(request.IpamDriver); // an unknown IPAM driver is refused before anything is made
        if (driver.Capabilities.SingleNetwork && _networks.Values.Any(n => n.Driver == driver.Name && CapabilitiesOf(n).SingleNetwork))
            throw new PlexusException(ErrorKind.Forbidden, $"only one instance of \"{driver.Name}\" network is allowed");
        if (driver.Capabilities.DataScope == DataScope.Global) return CreateGlobalNetwork(request, driver); // NetworkController.Overlay.cs

        ReserveName(_reservedNetworkNames, request.Name!, _networks.Values.Select(n => n.Name), "network");
        var (state, allocatable) = NewNetworkState(request, driver, request.Options);
        bool ipamAdded = false, stored = false, created = false;
        try
        {
            driver.ValidateNetwork(state);
            if (driver.Capabilities.UsesIpam)
            {
                state = state with
                {
                    Subnets = _ipam.AddNetwork(state.Id, state.Name, allocatable, state.EnableIPv6, state.IpamOptions, HostPrefixes(),
                        state.IpamDriver, state.Scope),
                };
                ipamAdded = true;
                // After IPAM: a subnet another network holds (or is being made with) is IPAM's to name.
                // A macvlan subnet is the parent's segment, which the host may well be on itself.
                if (driver.Capabilities.HostRoutesSubnets) CheckHostOverlap(request);
            }
            // Written before the kernel work: a crash in between leaves a pending record that the next start
            // rolls back, so even a bridge with a user-chosen name is never leaked.
            _store.Commit(new StoreBatch().Put(state with { Pending = true }));
            stored = true;
            var driverState = driver.CreateNetwork(state);
            created = true;
            state = state with { DriverState = driverState };
            _store.Commit(new StoreBatch().Put(state));
            _networks[state.Id] = state;
            Events.Publish(ControllerEvent.NetworkCreated(state));
            return state;
        }
        catch (Exception e)
        {
            if (created) TryUndo(() => driver.DeleteNetwork(state));
            if (stored) TryUndo(() => _store.Commit(new StoreBatch().DeleteNetwork(state.Id)));
            if (ipamAdded) TryUndo(() => _ipam.RemoveNetwork(state.Id));
            throw Wrap(e, $"create network {request.Name}");
        }
        finally
        {
            lock (_names) _reservedNetworkNames.Remove(request.Name!);
        }
    }

    /// <summary>A config-only network: a stored configuration, with no driver, no addresses and no kernel object (Docker's --config-only).</summary>
    private NetworkState CreateConfigOnly(NetworkCreateRequest request)
    {
        ReserveName(_reservedNetworkNames, request.Name, _networks.Values.Select(n => n.Name), "network");
        try
        {
            var state = new NetworkState
            {
                Id = Ids.New(),
                Name = request.Name,
                Driver = "null", // as Docker records it, so nothing can use it as a network
                Created = DateTimeOffset.UtcNow,
                Options = request.Options,
                Labels = request.Labels,
                EnableIPv6 = request.EnableIPv6,
                IpamDriver = request.IpamDriver,
                IpamOptions = request.IpamOptions,
                UnallocatedIpam = request.IpamConfigs,
                ConfigOnly = true,
            };
            try
            {
                _store.Commit(new StoreBatch().Put(state));
            }
            catch (Exception e)
            {
                throw Wrap(e, $"create network {request.Name}");
            }
            _networks[state.Id] = state;
            Events.Publish(ControllerEvent.NetworkCreated(state)); // Docker announces it; it never announces its removal
            return state;
        }
        finally
        {
            lock (_names) _reservedNetworkNames.Remove(request.Name);
        }
    }

    /// <summary>Deletes a network; refused while it has endpoints, naming them.</summary>
    public void DeleteNetwork(string reference)
    {
        var network = GetNetwork(reference);
        RefuseDocker(network, "remove");
        if (network.Scope == DataScope.Global)
        {
            DeleteGlobalNetwork(network); // NetworkController.Overlay.cs
            return;
        }
        using var held = _locks.Acquire(network.Id);
        if (!_networks.ContainsKey(network.Id)) throw PlexusException.NotFound($"network {reference} not found");
        if (network.ConfigOnly && _networks.Values.Any(n => n.ConfigFrom == network.Name))
            throw new PlexusException(ErrorKind.Forbidden, $"configuration network \"{network.Name}\" is in use");
        RemoveNetworkLocked(network, $"error while removing network: network {network.Name} id {network.Id}");
    }

    /// <summary>
    /// The end of every network delete (Plexus's own and Docker's), under the network's lock: refused while it has
    /// endpoints, naming them after <paramref name="subject"/>; then the driver, the store, IPAM, the table, the event.
    /// </summary>
    private void RemoveNetworkLocked(NetworkState network, string subject)
    {
        var endpoints = EndpointsOf(network);
        if (endpoints.Count > 0)
            throw new PlexusException(ErrorKind.Forbidden, $"{subject} has active endpoints ({string.Join(", ", endpoints.Select(e => e.Name))})");
        try
        {
            DriverOf(network).DeleteNetwork(network);
            _store.Commit(new StoreBatch().DeleteNetwork(network.Id));
        }
        catch (Exception e)
        {
            throw Wrap(e, $"delete network {network.Name}");
        }
        if (CapabilitiesOf(network).UsesIpam) _ipam.RemoveNetwork(network.Id); // unknown ids (Docker's networks) are ignored
        _networks.TryRemove(network.Id, out _);
        if (!network.ConfigOnly) Events.Publish(ControllerEvent.NetworkRemoved(network)); // the DNS registry forgets it (RegistryFeed)
    }

    /// <summary>Routes and addresses already on the host, which default pools must not overlap.</summary>
    private List<IPNetwork> HostPrefixes()
    {
        var ours = _networks.Values.SelectMany(n => n.Subnets).Select(s => s.Subnet).ToHashSet();
        var prefixes = new List<IPNetwork>();
        foreach (var route in _host.ListRoutes(ipVersion: null, table: null))
            if (!route.IsDefault && route.Type == Kernel.Rtnl.RouteType.Unicast) prefixes.Add(route.Destination.Network);
        foreach (var address in _host.ListAddresses())
            if (!IPAddress.IsLoopback(address.Prefix.Address) && !address.Prefix.Address.IsIPv6LinkLocal) prefixes.Add(address.Prefix.Network);
        return prefixes.Where(p => !ours.Contains(p)).Distinct().ToList();
    }

    private void ReserveName(HashSet<string> reserved, string name, IEnumerable<string> existing, string kind)
    {
        lock (_names)
        {
            if (reserved.Contains(name) || existing.Contains(name, StringComparer.Ordinal))
                throw PlexusException.Conflict($"{kind} with name {name} already exists");
            reserved.Add(name);
        }
    }

    /// <summary>
    /// A new network's record as <paramref name="request"/> asks for it, before IPAM and the driver (no subnets yet),
    /// and the address configurations to allocate from. Local and global creates share it.
    /// </summary>
    private static (NetworkState State, IReadOnlyList<IpamRequest> Allocatable) NewNetworkState(NetworkCreateRequest request, Drivers.INetworkDriver driver,
        IReadOnlyDictionary<string, string> options)
    {
        var state = new NetworkState
        {
            Id = Ids.New(),
            Name = request.Name!,
            Driver = driver.Name,
            Scope = driver.Capabilities.DataScope,
            Created = DateTimeOffset.UtcNow,
            Options = options,
            Labels = request.Labels,
            Internal = request.Internal,
            EnableIPv6 = request.EnableIPv6,
            IpamDriver = request.IpamDriver,
            IpamOptions = request.IpamOptions,
            Attachable = request.Attachable,
            ConfigFrom = request.ConfigFrom,
            // Docker 28 keeps IPv6 subnets given without IPv6 enabled, shows them, and allocates nothing from them.
            UnallocatedIpam = request.EnableIPv6 ? [] : [.. request.IpamConfigs.Where(NetworkConfigs.IsIPv6)],
        };
        return (state, request.EnableIPv6 ? request.IpamConfigs : [.. request.IpamConfigs.Where(c => !NetworkConfigs.IsIPv6(c))]);
    }
}
