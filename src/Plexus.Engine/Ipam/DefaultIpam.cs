using System.Collections.Concurrent;
using System.Net;
using Plexus.Engine.Model;
using Plexus.Kernel.Types;

namespace Plexus.Engine.Ipam;

/// <summary>
/// The built-in IPAM driver ("default"): pools of user subnets with a sub-pool (--ip-range), free subnets
/// carved from default pools, first-free or serial address allocation on a bitmap whose cost does not
/// grow with the addresses in use. Two address spaces, LocalDefault and GlobalDefault, each its own
/// overlap domain. Pure logic, no kernel access; its state lives in memory and is rebuilt after a restart
/// by replay (<see cref="IpamCapabilities.RequiresRequestReplay"/>).
/// </summary>
/// <remarks>
/// Locking: requesting and releasing pools is serialised by one lock, so two pools cannot be given
/// overlapping subnets; address requests take only their pool's lock.
/// Error kinds: bad input (an address outside its pool, the wrong IP version, a subnet too small) is
/// <see cref="ErrorKind.InvalidArgument"/>; overlapping pools, an address in use and exhausted default
/// pools are <see cref="ErrorKind.Conflict"/>; an unknown pool is <see cref="ErrorKind.NotFound"/>.
/// </remarks>
public sealed class DefaultIpam : IIpamDriver
{
    public const string DriverName = "default";

    /// <summary>libnetwork's names for the default driver's address spaces.</summary>
    public const string LocalSpace = "LocalDefault";

    public const string GlobalSpace = "GlobalDefault";

    /// <summary>The network IPAM option that turns on serial allocation ("true"), as Docker spells it.</summary>
    public const string SerialOption = "com.docker.network.ipam.serial";

    private readonly Lock _registry = new();
    private readonly ConcurrentDictionary<string, AddressPool> _pools = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AddressSpace> _spaces = new(StringComparer.Ordinal);

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
        // Global networks (overlay, later) get a space of their own: their subnets are the cluster's, not this host's.
        _spaces[LocalSpace] = new AddressSpace(LocalSpace, pools);
        _spaces[GlobalSpace] = new AddressSpace(GlobalSpace, pools);
    }

    public string Name => DriverName;

    public IpamCapabilities Capabilities { get; } = new(RequiresMacAddress: false, RequiresRequestReplay: true);

    /// <summary>The pools in the order they are searched, IPv6 ones included.</summary>
    public IReadOnlyList<AddressPoolSpec> DefaultPools { get; }

    public AddressSpaces GetDefaultAddressSpaces() => new(LocalSpace, GlobalSpace);

    public AllocatedPool RequestPool(PoolRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(request.Options, nameof(request));
        ArgumentNullException.ThrowIfNull(request.Exclude, nameof(request));
        var owner = request.Owner;
        var spaceName = request.AddressSpace is { Length: > 0 } named ? named : LocalSpace;
        if (!_spaces.TryGetValue(spaceName, out var space))
            throw PlexusException.Invalid($"{owner}: unknown address space {spaceName} (the default IPAM driver has {LocalSpace} and {GlobalSpace})");
        int version = request.V6 ? 6 : 4;
        bool serial = request.Options.TryGetValue(SerialOption, out var value) && bool.TryParse(value, out var on) && on;

        // Everything that depends only on the request is checked before the shared state is touched.
        SubnetAllocator? addresses = null;
        if (request.Pool is { } subnet)
        {
            if (IPMath.Version(subnet) != version)
                throw PlexusException.Invalid($"{owner}: subnet {subnet} is {IPMath.VersionName(IPMath.Version(subnet))} but an {IPMath.VersionName(version)} pool was requested");
            addresses = new SubnetAllocator(owner, subnet, request.SubPool);
        }
        else if (request.SubPool is { } orphan)
        {
            throw PlexusException.Invalid($"{owner}: IP range {orphan} needs a subnet (--subnet) to belong to");
        }

        lock (_registry)
        {
            if (addresses is null)
            {
                var free = space.FindFree(version, request.Exclude)
                    ?? throw PlexusException.Conflict(
                        $"{owner}: no free {IPMath.VersionName(version)} subnet left in the default address pools ("
                        + string.Join(", ", space.Pools.Where(p => p.IpVersion == version))
                        + "): every candidate overlaps another network or a route or address on the host; remove a network or choose a subnet with --subnet");
                addresses = new SubnetAllocator(owner, free, null);
            }
            else if (!request.Replay && space.FindOverlap(addresses.Subnet) is var (otherOwner, otherSubnet))
            {
                throw PlexusException.Conflict(
                    $"{owner}: subnet {addresses.Subnet} overlaps subnet {otherSubnet} of {otherOwner} (Pool overlaps with other one on this address space)");
            }

            // libnetwork's pool id: address space, subnet and sub-pool. Only a replayed pool can share a subnet.
            var id = $"{space.Name}/{addresses.Subnet}" + (addresses.IPRange is { } range ? $"/{range}" : "");
            for (int n = 2; _pools.ContainsKey(id); n++)
                id = $"{space.Name}/{addresses.Subnet}#{n}";
            _pools[id] = new AddressPool(id, space, owner, serial, addresses);
            space.Add(id, owner, addresses.Subnet);
            return new AllocatedPool(id, addresses.Subnet);
        }
    }

    public void ReleasePool(string poolId)
    {
        ArgumentNullException.ThrowIfNull(poolId);
        AddressPool? pool;
        lock (_registry)
        {
            if (!_pools.TryRemove(poolId, out pool)) return;
            pool.Space.Remove(poolId);
        }
        lock (pool.Gate)
            pool.Removed = true;
    }

    public IPPrefix? RequestAddress(string poolId, IPAddress? address, IReadOnlyDictionary<string, string> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var pool = Find(poolId);
        options.TryGetValue(IpamOptions.RequestAddressType, out var type);
        bool replay = options.TryGetValue(IpamOptions.Replay, out var flag) && flag == "true";
        lock (pool.Gate)
        {
            CheckNotRemoved(pool);
            var addresses = pool.Addresses;
            IPAddress? given;
            if (type == IpamOptions.Gateway)
            {
                given = addresses.ReserveGateway(address);
            }
            else if (type == IpamOptions.Auxiliary)
            {
                var aux = address ?? throw PlexusException.Invalid($"{pool.Owner}: an auxiliary address must be given");
                given = addresses.ReserveAuxiliary(options.GetValueOrDefault(IpamOptions.AuxiliaryName) ?? aux.ToString(), aux, replay);
            }
            else if (address is not null && replay)
            {
                addresses.Restore(address);
                given = IPMath.Normalize(address);
            }
            else if (address is not null)
            {
                given = addresses.AllocateStatic(address);
            }
            else
            {
                given = addresses.TryAllocateNext(pool.Serial);
            }
            return given is null ? null : new IPPrefix(given, addresses.PrefixLength);
        }
    }

    public void ReleaseAddress(string poolId, IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var pool = Find(poolId);
        lock (pool.Gate)
        {
            CheckNotRemoved(pool);
            pool.Addresses.Release(address);
        }
    }

    /// <summary>True for addresses held by endpoints and for the gateway and auxiliary addresses.</summary>
    internal bool IsAllocated(string poolId, IPAddress address)
    {
        var pool = Find(poolId);
        lock (pool.Gate)
        {
            CheckNotRemoved(pool);
            return pool.Addresses.IsAllocated(address);
        }
    }

    /// <summary>Words of the pool's allocation bitmap read so far: the cost of allocation, for tests.</summary>
    internal long ProbeCount(string poolId)
    {
        var pool = Find(poolId);
        lock (pool.Gate)
            return pool.Addresses.Probes;
    }

    private AddressPool Find(string poolId)
    {
        ArgumentNullException.ThrowIfNull(poolId);
        return _pools.TryGetValue(poolId, out var pool) ? pool : throw NotKnown(poolId);
    }

    private static void CheckNotRemoved(AddressPool pool)
    {
        if (pool.Removed) throw NotKnown(pool.Id);
    }

    private static PlexusException NotKnown(string poolId) =>
        PlexusException.NotFound($"address pool {poolId} is not known to the default IPAM driver (it was released)");
}
