using System.Net;
using Plexus.Kernel.Types;

namespace Plexus.Engine.Ipam;

/// <summary>
/// An IPAM driver: the pool-based contract of libnetwork's ipamapi. A network asks for one pool per subnet
/// (<see cref="RequestPool"/>), then for its gateway and auxiliary addresses and each endpoint's address
/// in that pool (<see cref="RequestAddress"/>). Drivers know pools, never networks, so a remote driver
/// (Docker's IPAM plugin protocol) fits the same contract. Implementations are thread-safe; errors are
/// <see cref="Model.PlexusException"/>s whose message names the pool's owner and the subnet or address at fault.
/// </summary>
public interface IIpamDriver
{
    /// <summary>The name `--ipam-driver` selects it by ("default", "null").</summary>
    string Name { get; }

    IpamCapabilities Capabilities { get; }

    /// <summary>The address spaces local and global networks draw from when the request names none.</summary>
    AddressSpaces GetDefaultAddressSpaces();

    /// <summary>
    /// Reserves a pool: the subnet asked for (refused when it overlaps another pool of the address space),
    /// or a free one from the driver's default pools that overlaps no pool and none of the request's
    /// exclusions. Returns the pool's id, used by every later call.
    /// </summary>
    AllocatedPool RequestPool(PoolRequest request);

    /// <summary>Frees a pool and every address in it. Unknown ids are ignored, so a rollback may call it freely.</summary>
    void ReleasePool(string poolId);

    /// <summary>
    /// Reserves <paramref name="address"/>, or any free address of the pool's sub-pool when null. Options say
    /// what the address is for (<see cref="IpamOptions.RequestAddressType"/>: the gateway is taken from the whole
    /// pool and held until the pool is released). Returns the address with the pool's prefix length, or null
    /// when the driver hands out none: a request for any address in a full pool, or a driver that manages no
    /// addresses (null).
    /// </summary>
    IPPrefix? RequestAddress(string poolId, IPAddress? address, IReadOnlyDictionary<string, string> options);

    /// <summary>Returns an address to its pool. Releasing an address not in use, or the gateway, is a no-op.</summary>
    void ReleaseAddress(string poolId, IPAddress address);
}

/// <summary>What a driver needs from the controller (libnetwork's ipamapi.Capability).</summary>
/// <param name="RequiresMacAddress">Address requests must carry the endpoint's MAC address.</param>
/// <param name="RequiresRequestReplay">
/// The driver keeps its allocations in memory only: after a restart the controller replays each network's
/// pools and addresses, flagged with <see cref="IpamOptions.Replay"/>, from the store.
/// </param>
public sealed record IpamCapabilities(bool RequiresMacAddress, bool RequiresRequestReplay);

/// <summary>The default address spaces of a driver (libnetwork's GetDefaultAddressSpaces).</summary>
public sealed record AddressSpaces(string Local, string Global);

/// <summary>A pool request (libnetwork's ipamapi.PoolRequest).</summary>
public sealed record PoolRequest
{
    /// <summary>The address space; empty for the driver's local default.</summary>
    public string AddressSpace { get; init; } = "";

    /// <summary>The subnet asked for; null for one from the driver's default pools.</summary>
    public IPNetwork? Pool { get; init; }

    /// <summary>The part of <see cref="Pool"/> that endpoint addresses come from (--ip-range).</summary>
    public IPNetwork? SubPool { get; init; }

    /// <summary>The network's IPAM options (--ipam-opt).</summary>
    public IReadOnlyDictionary<string, string> Options { get; init; } = new Dictionary<string, string>();

    /// <summary>Prefixes a default pool must not overlap (routes and addresses on the host, the network's other subnets).</summary>
    public IReadOnlyCollection<IPNetwork> Exclude { get; init; } = [];

    /// <summary>An IPv6 pool is asked for.</summary>
    public bool V6 { get; init; }

    /// <summary>
    /// The controller re-requests, after a restart, a pool it held before: the store is the record of what
    /// exists, so the driver takes it as it is (no overlap check) rather than lose it.
    /// </summary>
    public bool Replay { get; init; }

    /// <summary>Who asks ("network web"), so that messages name it and the holder of an overlapping pool.</summary>
    public string Owner { get; init; } = "address pool";
}

/// <summary>A reserved pool (libnetwork's ipamapi.AllocatedPool).</summary>
public sealed record AllocatedPool(string PoolId, IPNetwork Pool);
