using System.Collections.Concurrent;
using System.Net;
using Plexus.Engine.Model;
using Plexus.Kernel.Types;

namespace Plexus.Engine.Ipam;

/// <summary>
/// The controller's IPAM: turns a network's `--subnet` groups into pool and address requests to the IPAM
/// driver the network names, as libnetwork's network.ipamAllocate does, and remembers which pools each
/// network holds. Drivers know pools; this class knows networks.
/// </summary>
/// <remarks>
/// Per subnet: one pool, then the gateway (flagged <see cref="IpamOptions.Gateway"/>) and the auxiliary
/// addresses. A given gateway is held before the auxiliary addresses, so an aux address on it is refused;
/// a default gateway after them, so it passes over them. A failure releases every pool the network got.
/// </remarks>
public sealed class IpamService : IIpam
{
    private static readonly IReadOnlyDictionary<string, string> GatewayOptions =
        new Dictionary<string, string> { [IpamOptions.RequestAddressType] = IpamOptions.Gateway };

    private readonly ConcurrentDictionary<string, Network> _networks = new(StringComparer.Ordinal);
    private readonly Lock _registering = new();

    public IpamService(IpamRegistry drivers)
    {
        ArgumentNullException.ThrowIfNull(drivers);
        Drivers = drivers;
    }

    /// <summary>The built-in drivers ("default" with the given default pools, and "null").</summary>
    public static IpamService Create(IEnumerable<AddressPoolSpec>? defaultPools = null) => new(IpamRegistry.BuiltIn(defaultPools));

    public IpamRegistry Drivers { get; }

    public IReadOnlyList<SubnetState> AddNetwork(string networkId, string networkName, IReadOnlyList<IpamRequest> requests,
        bool enableIPv6, IReadOnlyDictionary<string, string> options, IReadOnlyCollection<IPNetwork> hostPrefixes,
        string driver = IpamRegistry.DefaultDriver, DataScope scope = DataScope.Local)
    {
        ArgumentException.ThrowIfNullOrEmpty(networkId);
        ArgumentException.ThrowIfNullOrEmpty(networkName);
        ArgumentNullException.ThrowIfNull(requests);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(hostPrefixes);
        var ipam = Drivers.Get(driver);
        var owner = $"network {networkName}";

        // Everything that depends only on the request is checked before any driver is asked.
        var asked = new List<IpamRequest>();
        foreach (var request in requests)
        {
            ArgumentNullException.ThrowIfNull(request, nameof(requests));
            if (Check(owner, request, enableIPv6)) asked.Add(request);
        }
        for (int i = 0; i < asked.Count; i++)
            for (int j = 0; j < i; j++)
                if (IPMath.Overlaps(asked[i].Subnet!.Value, asked[j].Subnet!.Value))
                    throw PlexusException.Invalid($"{owner}: subnets {asked[j].Subnet} and {asked[i].Subnet} overlap");

        var network = Reserve(networkId, networkName, ipam);
        var space = SpaceOf(ipam, scope);
        try
        {
            foreach (var request in asked)
                Add(network, space, request, IPMath.Version(request.Subnet!.Value) == 6, options, hostPrefixes);
            // Docker networks always have IPv4; IPv6 only when asked for.
            if (!asked.Any(r => IPMath.Version(r.Subnet!.Value) == 4))
                Add(network, space, new IpamRequest(), v6: false, options, hostPrefixes);
            if (enableIPv6 && !asked.Any(r => IPMath.Version(r.Subnet!.Value) == 6))
                Add(network, space, new IpamRequest(), v6: true, options, hostPrefixes);
            network.Subnets = [.. network.Subnets.OrderBy(s => s.IpVersion)];
            network.Ready = true;
            return network.Subnets;
        }
        catch
        {
            Forget(network);
            throw;
        }
    }

    public void RestoreNetwork(string networkId, string networkName, IReadOnlyList<SubnetState> subnets,
        IReadOnlyDictionary<string, string> options, IEnumerable<IPAddress> allocated,
        string driver = IpamRegistry.DefaultDriver, DataScope scope = DataScope.Local)
    {
        ArgumentException.ThrowIfNullOrEmpty(networkId);
        ArgumentException.ThrowIfNullOrEmpty(networkName);
        ArgumentNullException.ThrowIfNull(subnets);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(allocated);
        var ipam = Drivers.Get(driver);
        var owner = $"network {networkName}";
        var ordered = subnets.OrderBy(s => s.IpVersion).ToList();
        var addresses = allocated.Select(a =>
        {
            ArgumentNullException.ThrowIfNull(a, nameof(allocated));
            return IPMath.Normalize(a);
        }).ToList();

        var network = Reserve(networkId, networkName, ipam);
        try
        {
            if (!ipam.Capabilities.RequiresRequestReplay)
            {
                // The driver kept its own record: the pools are the ones the store names.
                network.Subnets = ordered;
                network.Pools.AddRange(ordered.Select(s => s.PoolId).OfType<string>());
            }
            else
            {
                var space = SpaceOf(ipam, scope);
                var replay = new Dictionary<string, string>(options.Count) { [IpamOptions.Replay] = "true" };
                foreach (var subnet in ordered)
                {
                    var pool = ipam.RequestPool(new PoolRequest
                    {
                        AddressSpace = space, Pool = subnet.Subnet, SubPool = subnet.IPRange, Options = options,
                        V6 = subnet.IpVersion == 6, Replay = true, Owner = owner,
                    });
                    network.Pools.Add(pool.PoolId);
                    ipam.RequestAddress(pool.PoolId, subnet.Gateway, new Dictionary<string, string>(GatewayOptions) { [IpamOptions.Replay] = "true" });
                    foreach (var (name, aux) in subnet.AuxAddresses)
                        ipam.RequestAddress(pool.PoolId, aux, Auxiliary(name, replay: true));
                    network.Subnets.Add(subnet with { PoolId = pool.PoolId });
                }
                // Every address is placed before any is marked, so a bad record names itself and leaves nothing half restored.
                var holders = addresses.Select(address => (Subnet: network.Subnets.FirstOrDefault(s => s.Subnet.Contains(address))
                    ?? throw PlexusException.Invalid($"{owner}: restored address {address} is outside {Describe(network.Subnets)}"), Address: address)).ToList();
                foreach (var (subnet, address) in holders)
                    ipam.RequestAddress(subnet.PoolId!, address, replay);
            }
            network.Ready = true;
        }
        catch
        {
            Forget(network);
            throw;
        }
    }

    public void RemoveNetwork(string networkId)
    {
        ArgumentNullException.ThrowIfNull(networkId);
        // Unknown ids are ignored: a rollback may remove a network that was never registered.
        if (_networks.TryRemove(networkId, out var network)) Release(network);
    }

    public IPPrefix Allocate(string networkId, int ipVersion, IPAddress? requested = null)
    {
        if (ipVersion is not (4 or 6))
            throw new ArgumentOutOfRangeException(nameof(ipVersion), ipVersion, "IP version must be 4 or 6");
        var network = Find(networkId);
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
            var subnet = candidates.FirstOrDefault(s => s.Subnet.Contains(address))
                ?? throw PlexusException.Invalid($"network {network.Name}: address {address} is outside {Describe(candidates)}");
            return Request(network, subnet, address);
        }

        // With several subnets of one version, the next one is used once the first is full, as in libnetwork.
        foreach (var subnet in candidates)
            if (network.Driver.RequestAddress(PoolOf(network, subnet), null, IpamOptions.None) is { } prefix)
                return prefix;
        throw PlexusException.Conflict(
            $"network {network.Name}: no free address left in {string.Join(", ", candidates.Select(PoolText))}");
    }

    public void Release(string networkId, IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var network = Find(networkId);
        var normal = IPMath.Normalize(address);
        if (network.Subnets.FirstOrDefault(s => s.Subnet.Contains(normal)) is { } subnet)
            network.Driver.ReleaseAddress(PoolOf(network, subnet), normal);
    }

    /// <summary>True when the network's driver holds the address (the default driver only), for tests.</summary>
    internal bool IsAllocated(string networkId, IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var network = Find(networkId);
        var normal = IPMath.Normalize(address);
        return network.Subnets.FirstOrDefault(s => s.Subnet.Contains(normal)) is { } subnet
            && network.Driver is DefaultIpam ipam && ipam.IsAllocated(PoolOf(network, subnet), normal);
    }

    /// <summary>Words of the allocation bitmaps read so far on a network: the cost of allocation, for tests.</summary>
    internal long ProbeCount(string networkId)
    {
        var network = Find(networkId);
        return network.Driver is DefaultIpam ipam ? network.Subnets.Sum(s => ipam.ProbeCount(PoolOf(network, s))) : 0;
    }

    /// <summary>True when the request names a subnet; throws when it is malformed; false for an empty one (a default pool).</summary>
    private static bool Check(string owner, IpamRequest request, bool enableIPv6)
    {
        if (request.Subnet is not { } subnet)
        {
            // libnetwork reads an empty IPAM config entry as "a subnet from the default pools".
            string? orphan = request.IPRange is { } range ? $"IP range {range}"
                : request.Gateway is { } gateway ? $"gateway {gateway}"
                : request.AuxAddresses.Count > 0 ? $"auxiliary address {request.AuxAddresses.First().Key}={request.AuxAddresses.First().Value}"
                : null;
            return orphan is null ? false
                : throw PlexusException.Invalid($"{owner}: {orphan} needs a subnet (--subnet) to belong to");
        }
        if (IPMath.Version(subnet) == 6 && !enableIPv6)
            throw PlexusException.Invalid($"{owner}: IPv6 subnet {subnet} requires IPv6 to be enabled (--ipv6)");
        // Whatever the driver, the kernel cannot use these as a network's subnet.
        SubnetAllocator.CheckSize(owner, subnet);
        ReservedRanges.Check(owner, subnet);
        return true;
    }

    /// <summary>One subnet: its pool, then its gateway and auxiliary addresses (see the remarks for the order).</summary>
    private static void Add(Network network, string space, IpamRequest request, bool v6,
        IReadOnlyDictionary<string, string> options, IReadOnlyCollection<IPNetwork> hostPrefixes)
    {
        var ipam = network.Driver;
        var owner = $"network {network.Name}";
        var pool = ipam.RequestPool(new PoolRequest
        {
            AddressSpace = space, Pool = request.Subnet, SubPool = request.IPRange, Options = options, V6 = v6, Owner = owner,
            Exclude = [.. hostPrefixes, .. network.Subnets.Select(s => s.Subnet)],
        });
        network.Pools.Add(pool.PoolId);
        IPPrefix? gateway = null;
        if (request.Gateway is { } given)
            gateway = ipam.RequestAddress(pool.PoolId, IPMath.Normalize(given), GatewayOptions);
        foreach (var (name, aux) in request.AuxAddresses)
            ipam.RequestAddress(pool.PoolId, aux, Auxiliary(name, replay: false));
        if (request.Gateway is null)
            gateway = ipam.RequestAddress(pool.PoolId, null, GatewayOptions);
        // No gateway: the driver hands out no addresses in this pool (null), so the network has no subnet.
        if (gateway is not { } held) return;
        network.Subnets.Add(new SubnetState
        {
            Subnet = pool.Pool,
            IPRange = request.IPRange,
            Gateway = held.Address,
            AuxAddresses = request.AuxAddresses,
            UserDefined = request.Subnet is not null,
            PoolId = pool.PoolId,
        });
    }

    private static Dictionary<string, string> Auxiliary(string name, bool replay)
    {
        var options = new Dictionary<string, string>
        {
            [IpamOptions.RequestAddressType] = IpamOptions.Auxiliary,
            [IpamOptions.AuxiliaryName] = name,
        };
        if (replay) options[IpamOptions.Replay] = "true";
        return options;
    }

    private static string SpaceOf(IIpamDriver ipam, DataScope scope)
    {
        var spaces = ipam.GetDefaultAddressSpaces();
        return scope == DataScope.Global ? spaces.Global : spaces.Local;
    }

    private Network Reserve(string networkId, string networkName, IIpamDriver driver)
    {
        var network = new Network(networkId, networkName, driver);
        lock (_registering)
        {
            if (_networks.TryGetValue(networkId, out var existing))
                throw PlexusException.Conflict($"network {networkName}: id {Ids.Short(networkId)} is already registered with IPAM (as network {existing.Name})");
            _networks[networkId] = network;
        }
        return network;
    }

    private void Forget(Network network)
    {
        _networks.TryRemove(new KeyValuePair<string, Network>(network.Id, network));
        Release(network);
    }

    private static void Release(Network network)
    {
        foreach (var pool in network.Pools)
            network.Driver.ReleasePool(pool);
    }

    private static IPPrefix Request(Network network, SubnetState subnet, IPAddress address) =>
        network.Driver.RequestAddress(PoolOf(network, subnet), address, IpamOptions.None)
            ?? throw PlexusException.Conflict($"network {network.Name}: IPAM driver {network.Driver.Name} gave no address for {address}");

    private static string PoolOf(Network network, SubnetState subnet) =>
        subnet.PoolId ?? throw new PlexusException(ErrorKind.Internal, $"network {network.Name}: subnet {subnet.Subnet} has no IPAM pool");

    private Network Find(string networkId)
    {
        ArgumentNullException.ThrowIfNull(networkId);
        return _networks.TryGetValue(networkId, out var network) && network.Ready ? network
            : throw PlexusException.NotFound($"network {Ids.Short(networkId)} is not registered with IPAM");
    }

    /// <summary>Where dynamic addresses come from, for messages.</summary>
    private static string PoolText(SubnetState s) =>
        s.IPRange is { } range && range != s.Subnet ? $"IP range {range} of {s.Subnet}" : s.Subnet.ToString();

    /// <summary>"subnet 10.0.0.0/24" or "subnets 10.0.0.0/24, 10.0.1.0/24".</summary>
    private static string Describe(List<SubnetState> subnets) =>
        (subnets.Count == 1 ? "subnet " : "subnets ") + string.Join(", ", subnets.Select(s => s.Subnet));

    /// <summary>A network as IPAM knows it: its driver, the pools it holds and its subnets.</summary>
    private sealed class Network(string id, string name, IIpamDriver driver)
    {
        public string Id { get; } = id;

        public string Name { get; } = name;

        public IIpamDriver Driver { get; } = driver;

        /// <summary>Every pool requested, also those that gave no subnet (null), so that all are released.</summary>
        public List<string> Pools { get; } = [];

        /// <summary>Filled while the network is added; read only once <see cref="Ready"/>.</summary>
        public List<SubnetState> Subnets { get; set; } = [];

        /// <summary>Set once the network is fully added, so a half-added one is never allocated from.</summary>
        public volatile bool Ready;
    }
}
