using System.Collections.Concurrent;
using System.Net;
using Plexus.Engine.Model;
using Plexus.Kernel.Types;

namespace Plexus.Engine.Ipam;

/// <summary>
/// The built-in IPAM driver ("default"): user subnets with --ip-range, --gateway and --aux-address, free
/// subnets from default pools, first-free or serial address allocation. Pure logic, no kernel access.
/// </summary>
/// <remarks>
/// Locking: creating, restoring and removing networks is serialised by one lock, so two networks cannot
/// be given overlapping subnets; address allocation takes only its network's lock.
/// Error kinds: bad input (a gateway, range, aux or requested address outside its subnet, the wrong IP
/// version, a subnet too small) is <see cref="ErrorKind.InvalidArgument"/>; overlapping subnets, an
/// address in use and exhausted pools are <see cref="ErrorKind.Conflict"/> (the request clashes with
/// what is in use, and may succeed once something is freed); an unknown network is
/// <see cref="ErrorKind.NotFound"/>.
/// </remarks>
public sealed class DefaultIpam : IIpam
{
    /// <summary>The network IPAM option that turns on serial allocation ("true"), as Docker spells it.</summary>
    public const string SerialOption = "com.docker.network.ipam.serial";

    private readonly Lock _registry = new();
    private readonly ConcurrentDictionary<string, IpamNetwork> _networks = new(StringComparer.Ordinal);
    private readonly AddressSpace _space;

    /// <summary>
    /// Creates the driver with the pools that networks without --subnet draw from, in order of preference;
    /// null gives <see cref="AddressPoolSpec.Defaults"/>. When the list holds no IPv6 pool,
    /// <see cref="AddressPoolSpec.DefaultIPv6"/> is added, so that --ipv6 works without one configured.
    /// </summary>
    public DefaultIpam(IEnumerable<AddressPoolSpec>? defaultPools = null)
    {
        List<AddressPoolSpec> pools = [.. defaultPools ?? AddressPoolSpec.Defaults];
        foreach (var pool in pools)
            ArgumentNullException.ThrowIfNull(pool, nameof(defaultPools));
        if (!pools.Any(p => p.IpVersion == 6))
            pools.Add(AddressPoolSpec.DefaultIPv6);
        DefaultPools = pools;
        _space = new AddressSpace(pools);
    }

    /// <summary>The pools in the order they are searched, IPv6 ones included.</summary>
    public IReadOnlyList<AddressPoolSpec> DefaultPools { get; }

    public IReadOnlyList<SubnetState> AddNetwork(string networkId, string networkName, IReadOnlyList<IpamRequest> requests,
        bool enableIPv6, IReadOnlyDictionary<string, string> options, IReadOnlyCollection<IPNetwork> hostPrefixes)
    {
        ArgumentException.ThrowIfNullOrEmpty(networkId);
        ArgumentException.ThrowIfNullOrEmpty(networkName);
        ArgumentNullException.ThrowIfNull(requests);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(hostPrefixes);

        // Everything that depends only on the request is checked before the shared state is touched.
        List<SubnetAllocator> subnets = [];
        foreach (var request in requests)
        {
            ArgumentNullException.ThrowIfNull(request, nameof(requests));
            if (ToSubnetState(networkName, request, enableIPv6) is { } state)
                subnets.Add(new SubnetAllocator(networkName, state));
        }
        for (int i = 0; i < subnets.Count; i++)
            for (int j = 0; j < i; j++)
                if (IPMath.Overlaps(subnets[i].State.Subnet, subnets[j].State.Subnet))
                    throw PlexusException.Invalid(
                        $"network {networkName}: subnets {subnets[j].State.Subnet} and {subnets[i].State.Subnet} overlap");

        lock (_registry)
        {
            if (_networks.TryGetValue(networkId, out var existing))
                throw PlexusException.Conflict($"network {networkName}: id {Ids.Short(networkId)} is already registered with IPAM (as network {existing.Name})");

            foreach (var subnet in subnets)
            {
                if (_space.FindOverlap(subnet.State.Subnet) is var (otherName, otherSubnet))
                    throw PlexusException.Conflict(
                        $"network {networkName}: subnet {subnet.State.Subnet} overlaps subnet {otherSubnet} of network {otherName} (Pool overlaps with other one on this address space)");
            }

            // Docker networks always have IPv4; IPv6 only when asked for.
            if (!subnets.Any(s => s.IpVersion == 4))
                subnets.Add(FromDefaultPool(networkName, 4, subnets, hostPrefixes));
            if (enableIPv6 && !subnets.Any(s => s.IpVersion == 6))
                subnets.Add(FromDefaultPool(networkName, 6, subnets, hostPrefixes));

            var ordered = subnets.OrderBy(s => s.IpVersion).ToList();
            Register(networkId, networkName, options, ordered);
            return [.. ordered.Select(s => s.State)];
        }
    }

    public void RestoreNetwork(string networkId, string networkName, IReadOnlyList<SubnetState> subnets,
        IReadOnlyDictionary<string, string> options, IEnumerable<IPAddress> allocated)
    {
        ArgumentException.ThrowIfNullOrEmpty(networkId);
        ArgumentException.ThrowIfNullOrEmpty(networkName);
        ArgumentNullException.ThrowIfNull(subnets);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(allocated);

        var allocators = subnets.Select(s => new SubnetAllocator(networkName, s)).OrderBy(s => s.IpVersion).ToList();
        // Check every address before marking any, so a bad record leaves nothing half restored.
        var holders = new List<(SubnetAllocator Subnet, IPAddress Address)>();
        foreach (var address in allocated)
        {
            ArgumentNullException.ThrowIfNull(address, nameof(allocated));
            var holder = allocators.FirstOrDefault(s => s.Contains(address))
                ?? throw PlexusException.Invalid(
                    $"network {networkName}: restored address {IPMath.Normalize(address)} is outside {Describe(allocators.Select(s => s.State.Subnet))}");
            holder.CheckRestorable(address);
            holders.Add((holder, address));
        }
        foreach (var (subnet, address) in holders)
            subnet.Restore(address);

        lock (_registry)
        {
            if (_networks.ContainsKey(networkId))
                throw PlexusException.Conflict($"network {networkName}: id {Ids.Short(networkId)} is already registered with IPAM");
            // No overlap check: the store is the record of what exists, and refusing to restore a network
            // would lose it. New networks are still kept clear of its subnets.
            Register(networkId, networkName, options, allocators);
        }
    }

    public void RemoveNetwork(string networkId)
    {
        ArgumentNullException.ThrowIfNull(networkId);
        IpamNetwork? network;
        lock (_registry)
        {
            // Unknown ids are ignored: a rollback may remove a network that was never registered.
            if (!_networks.TryRemove(networkId, out network)) return;
            _space.Remove(networkId);
        }
        lock (network.Gate)
            network.Removed = true;
    }

    public IPPrefix Allocate(string networkId, int ipVersion, IPAddress? requested = null)
    {
        if (ipVersion is not (4 or 6))
            throw new ArgumentOutOfRangeException(nameof(ipVersion), ipVersion, "IP version must be 4 or 6");
        var network = Find(networkId);
        lock (network.Gate)
        {
            CheckNotRemoved(network);
            var candidates = network.Subnets.Where(s => s.IpVersion == ipVersion).ToList();
            if (candidates.Count == 0)
                throw PlexusException.Invalid($"network {network.Name}: no {IPMath.VersionName(ipVersion)} subnet to allocate from"
                    + (ipVersion == 6 ? " (it was created without --ipv6)" : ""));

            if (requested is not null)
            {
                var address = IPMath.Normalize(requested);
                if (IPMath.Version(address) != ipVersion)
                    throw PlexusException.Invalid(
                        $"network {network.Name}: address {address} is {IPMath.VersionName(IPMath.Version(address))} but an {IPMath.VersionName(ipVersion)} address was requested");
                var subnet = candidates.FirstOrDefault(s => s.Contains(address))
                    ?? throw PlexusException.Invalid(
                        $"network {network.Name}: address {address} is outside {Describe(candidates.Select(s => s.State.Subnet))}");
                return new IPPrefix(subnet.AllocateStatic(address), subnet.PrefixLength);
            }

            // With several subnets of one version, the next one is used once the first is full, as in libnetwork.
            foreach (var subnet in candidates)
                if (subnet.TryAllocateNext(network.Serial) is { } address)
                    return new IPPrefix(address, subnet.PrefixLength);
            throw PlexusException.Conflict(
                $"network {network.Name}: no free address left in {string.Join(", ", candidates.Select(s => s.Pool))}");
        }
    }

    public void Release(string networkId, IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var network = Find(networkId);
        lock (network.Gate)
        {
            CheckNotRemoved(network);
            network.Subnets.FirstOrDefault(s => s.Contains(address))?.Release(address);
        }
    }

    public bool IsAllocated(string networkId, IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var network = Find(networkId);
        lock (network.Gate)
        {
            CheckNotRemoved(network);
            return network.Subnets.FirstOrDefault(s => s.Contains(address))?.IsAllocated(address) ?? false;
        }
    }

    /// <summary>Words of the allocation bitmaps read so far on a network: the cost of allocation, for tests.</summary>
    internal long ProbeCount(string networkId)
    {
        var network = Find(networkId);
        lock (network.Gate)
            return network.Subnets.Sum(s => s.Probes);
    }

    /// <summary>The subnet a request asks for, its gateway filled in; null for an empty request.</summary>
    private static SubnetState? ToSubnetState(string networkName, IpamRequest request, bool enableIPv6)
    {
        if (request.Subnet is not { } subnet)
        {
            // libnetwork reads an empty IPAM config entry as "a subnet from the default pools".
            string? orphan = request.IPRange is { } range ? $"IP range {range}"
                : request.Gateway is { } gateway ? $"gateway {gateway}"
                : request.AuxAddresses.Count > 0 ? $"auxiliary address {request.AuxAddresses.First().Key}={request.AuxAddresses.First().Value}"
                : null;
            return orphan is null ? null
                : throw PlexusException.Invalid($"network {networkName}: {orphan} needs a subnet (--subnet) to belong to");
        }
        if (IPMath.Version(subnet) == 6 && !enableIPv6)
            throw PlexusException.Invalid($"network {networkName}: IPv6 subnet {subnet} requires IPv6 to be enabled (--ipv6)");
        SubnetAllocator.CheckSize(networkName, subnet);
        ReservedRanges.Check(networkName, subnet);
        return new SubnetState
        {
            Subnet = subnet,
            IPRange = request.IPRange,
            Gateway = request.Gateway is { } chosen ? IPMath.Normalize(chosen) : DefaultGateway(subnet, request.AuxAddresses.Values),
            AuxAddresses = request.AuxAddresses,
            UserDefined = true,
        };
    }

    /// <summary>
    /// The first host address of the subnet (172.18.0.1 for 172.18.0.0/16), also when --ip-range is set:
    /// the bridge's address belongs to the subnet, not to the endpoints' range. An address the user
    /// reserved with --aux-address is passed over rather than refused.
    /// </summary>
    private static IPAddress DefaultGateway(IPNetwork subnet, IEnumerable<IPAddress> aux)
    {
        var taken = aux.Select(a => IPMath.Normalize(a)).ToHashSet();
        var family = subnet.BaseAddress.AddressFamily;
        var (first, last) = IPMath.Bounds(subnet);
        for (UInt128 candidate = first + UInt128.One; candidate < last; candidate++)
        {
            var address = IPMath.ToAddress(candidate, family);
            if (!taken.Contains(address)) return address;
        }
        return SubnetAllocator.FirstHost(subnet);
    }

    private SubnetAllocator FromDefaultPool(string networkName, int ipVersion, IReadOnlyList<SubnetAllocator> chosen,
        IReadOnlyCollection<IPNetwork> hostPrefixes)
    {
        var avoid = hostPrefixes.Concat(chosen.Select(s => s.State.Subnet));
        var subnet = _space.FindFree(ipVersion, avoid)
            ?? throw PlexusException.Conflict(
                $"network {networkName}: no free {IPMath.VersionName(ipVersion)} subnet left in the default address pools ("
                + string.Join(", ", DefaultPools.Where(p => p.IpVersion == ipVersion))
                + "): every candidate overlaps another network or a route or address on the host; remove a network or choose a subnet with --subnet");
        return new SubnetAllocator(networkName, new SubnetState
        {
            Subnet = subnet,
            Gateway = SubnetAllocator.FirstHost(subnet),
            UserDefined = false,
        });
    }

    private void Register(string networkId, string networkName, IReadOnlyDictionary<string, string> options,
        IReadOnlyList<SubnetAllocator> subnets)
    {
        bool serial = options.TryGetValue(SerialOption, out var value) && bool.TryParse(value, out var on) && on;
        _networks[networkId] = new IpamNetwork(networkId, networkName, serial, subnets);
        _space.Add(networkId, networkName, [.. subnets.Select(s => s.State.Subnet)]);
    }

    private IpamNetwork Find(string networkId)
    {
        ArgumentNullException.ThrowIfNull(networkId);
        return _networks.TryGetValue(networkId, out var network) ? network : throw NotRegistered(networkId);
    }

    private static void CheckNotRemoved(IpamNetwork network)
    {
        if (network.Removed) throw NotRegistered(network.Id);
    }

    private static PlexusException NotRegistered(string networkId) =>
        PlexusException.NotFound($"network {Ids.Short(networkId)} is not registered with IPAM");

    /// <summary>"subnet 10.0.0.0/24" or "subnets 10.0.0.0/24, 10.0.1.0/24".</summary>
    private static string Describe(IEnumerable<IPNetwork> subnets)
    {
        var list = subnets.ToList();
        return (list.Count == 1 ? "subnet " : "subnets ") + string.Join(", ", list);
    }
}
