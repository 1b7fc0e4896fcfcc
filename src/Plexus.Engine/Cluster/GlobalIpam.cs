using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Plexus.Engine.Ipam;
using Plexus.Engine.Model;
using Plexus.Engine.Store;
using Plexus.Kernel.Types;

namespace Plexus.Engine.Cluster;

/// <summary>
/// IPAM for global networks, around the host's own <see cref="IIpam"/>: the local pools still choose a candidate
/// address (and keep gateway, ranges and aux addresses as for any network), and the global store decides who gets
/// it, by creating /ipam/addresses/NETWORK/IP only if absent, so no two hosts ever hand out one address. Local
/// networks pass straight through (one dictionary lookup), so the single-host path is unchanged.
/// </summary>
/// <remarks>
/// A global network's pool is registered in the local address space, so IPAM refuses a global subnet that overlaps a
/// local network of this host and the other way round; overlaps between global networks are refused by
/// <see cref="AddPools"/> (one compare-and-swapped list). Addresses another host holds stay out of the local
/// pool once met, until the pool looks full: then they are tried again, so a released one is found again.
/// </remarks>
public sealed class GlobalIpam(IIpam inner) : IIpam
{
    private const int MaxAttempts = 256;
    private readonly ConcurrentDictionary<string, byte> _global = new(StringComparer.Ordinal);

    /// <summary>
    /// By global network: addresses this host tried and found held by another host. They stay taken in the local pool,
    /// so each is tried (one failed compare-and-swap) once rather than by every later allocation: without this, the
    /// n-th allocation on a host walked every address the other hosts held before finding a free one (O(n) requests to
    /// the store per attach, and a failure past <see cref="MaxAttempts"/>). Handed back when the pool looks full.
    /// </summary>
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<IPAddress, byte>> _heldElsewhere = new(StringComparer.Ordinal);

    /// <summary>
    /// The claims this host means to hold (network id, address): added before a claim is written and removed before it
    /// is deleted, so <see cref="ReconcileClaims"/> never takes one that is being made.
    /// </summary>
    private readonly ConcurrentDictionary<(string Network, string Address), byte> _claimed = new();
    private IGlobalStore? _store;
    private string _host = "";
    private Action? _storeFailed;

    public IpamRegistry Drivers => inner.Drivers;

    /// <summary>Connects the global store (when the daemon joins a cluster, after the engine opened).</summary>
    /// <param name="storeFailed">Called when a claim could not be written or deleted because the store was away: the
    /// caller reconciles (<see cref="ReconcileClaims"/>) once it answers again.</param>
    public void Attach(IGlobalStore store, string hostId, Action? storeFailed = null)
    {
        _host = hostId;
        _storeFailed = storeFailed;
        Volatile.Write(ref _store, store);
    }

    private IGlobalStore Store => Volatile.Read(ref _store)
        ?? throw new PlexusException(ErrorKind.InvalidArgument, "global networks need a cluster store: start plexusd with --cluster-store etcd://HOST:2379 and --cluster-advertise ADDRESS");

    public IReadOnlyList<SubnetState> AddNetwork(string networkId, string networkName, IReadOnlyList<IpamRequest> requests, bool enableIPv6,
        IReadOnlyDictionary<string, string> options, IReadOnlyCollection<IPNetwork> hostPrefixes, string driver = IpamRegistry.DefaultDriver,
        DataScope scope = DataScope.Local)
    {
        if (scope != DataScope.Global) return inner.AddNetwork(networkId, networkName, requests, enableIPv6, options, hostPrefixes, driver, scope);
        // The local address space: overlaps with this host's networks are refused both ways.
        var subnets = inner.AddNetwork(networkId, networkName, requests, enableIPv6, options, hostPrefixes, driver, DataScope.Local);
        _global[networkId] = 0;
        return subnets;
    }

    public void RestoreNetwork(string networkId, string networkName, IReadOnlyList<SubnetState> subnets, IReadOnlyDictionary<string, string> options,
        IEnumerable<IPAddress> allocated, string driver = IpamRegistry.DefaultDriver, DataScope scope = DataScope.Local)
    {
        if (scope != DataScope.Global)
        {
            inner.RestoreNetwork(networkId, networkName, subnets, options, allocated, driver, scope);
            return;
        }
        var held = allocated.ToList();
        inner.RestoreNetwork(networkId, networkName, subnets, options, held, driver, DataScope.Local);
        _global[networkId] = 0;
        foreach (var address in held) _claimed[(networkId, address.ToString())] = 0; // this host's endpoints' claims
    }

    public void RemoveNetwork(string networkId)
    {
        inner.RemoveNetwork(networkId);
        _global.TryRemove(networkId, out _);
        _heldElsewhere.TryRemove(networkId, out _);
        foreach (var claim in _claimed.Keys.Where(c => c.Network == networkId)) _claimed.TryRemove(claim, out _);
    }

    public IPPrefix Allocate(string networkId, int ipVersion, IPAddress? requested = null)
    {
        if (!_global.ContainsKey(networkId)) return inner.Allocate(networkId, ipVersion, requested);
        var store = Store;
        var elsewhere = _heldElsewhere.GetOrAdd(networkId, _ => new ConcurrentDictionary<IPAddress, byte>());
        // Its holder may have let it go since: the store decides.
        if (requested is not null && elsewhere.TryRemove(requested, out _)) inner.Release(networkId, requested);
        bool returned = false;
        for (int attempt = 0; attempt < MaxAttempts; attempt++)
        {
            IPPrefix candidate;
            try
            {
                candidate = inner.Allocate(networkId, ipVersion, requested);
            }
            catch (PlexusException) when (requested is null && !returned && ReturnHeldElsewhere(networkId, elsewhere))
            {
                returned = true; // the pool looked full only for addresses other hosts held when tried: try them again
                continue;
            }
            var claim = (networkId, candidate.Address.ToString());
            _claimed[claim] = 0;
            CasResult claimed;
            try
            {
                claimed = store.Put(GlobalKeys.Address(networkId, candidate.Address), Holder(), StoreRevisions.Absent);
            }
            catch (Exception e)
            {
                _claimed.TryRemove(claim, out _);
                inner.Release(networkId, candidate.Address);
                // A write cut short may still have been applied: the claim is taken back once the store answers.
                if (e is GlobalStoreUnavailableException) _storeFailed?.Invoke();
                throw;
            }
            if (claimed.Succeeded) return candidate;
            _claimed.TryRemove(claim, out _);
            elsewhere[candidate.Address] = 0; // stays taken in the local pool: the next allocation does not try it again
            if (requested is not null)
                throw PlexusException.Conflict($"address {requested} is already in use (by an endpoint on host {HolderOf(claimed.Current)})");
        }
        throw PlexusException.Conflict($"no free IPv{ipVersion} address found after {MaxAttempts} attempts: other hosts hold them");
    }

    /// <summary>
    /// An address another host's endpoint holds, learned from its endpoint record: taken in the local pool as one found
    /// held by a failed claim is, so this host's allocations skip it instead of each trying it once (a failed
    /// compare-and-swap per address other hosts took since). Nothing happens when the network is not global here or
    /// the address is taken here already (this host's own, or a claim being made).
    /// </summary>
    public void NoteHeldElsewhere(string networkId, IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (!_global.ContainsKey(networkId)) return;
        var elsewhere = _heldElsewhere.GetOrAdd(networkId, _ => new ConcurrentDictionary<IPAddress, byte>());
        if (elsewhere.ContainsKey(address)) return;
        try
        {
            inner.Allocate(networkId, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 6 : 4, address);
        }
        catch (PlexusException)
        {
            return; // taken here, or outside the network's pools
        }
        if (!elsewhere.TryAdd(address, 0)) inner.Release(networkId, address);
    }

    /// <summary>Undoes <see cref="NoteHeldElsewhere"/> (the other host's endpoint left): the address is free to try again.</summary>
    public void ForgetHeldElsewhere(string networkId, IPAddress address)
    {
        if (_heldElsewhere.TryGetValue(networkId, out var elsewhere) && elsewhere.TryRemove(address, out _)) inner.Release(networkId, address);
    }

    /// <summary>Hands the addresses remembered as held by other hosts back to the local pool; false when there were none.</summary>
    private bool ReturnHeldElsewhere(string networkId, ConcurrentDictionary<IPAddress, byte> elsewhere)
    {
        bool any = false;
        foreach (var address in elsewhere.Keys)
        {
            if (!elsewhere.TryRemove(address, out _)) continue;
            inner.Release(networkId, address);
            any = true;
        }
        return any;
    }

    public void Release(string networkId, IPAddress address)
    {
        inner.Release(networkId, address);
        if (!_global.ContainsKey(networkId)) return;
        _claimed.TryRemove((networkId, address.ToString()), out _);
        if (Volatile.Read(ref _store) is not { } store) return;
        try
        {
            var key = GlobalKeys.Address(networkId, address);
            if (store.Get(key) is { } held && HolderOf(held) == _host) store.Delete(key, held.ModRevision);
        }
        catch (GlobalStoreUnavailableException)
        {
            // Left held in the store: deleted by ReconcileClaims once the store answers again.
            _storeFailed?.Invoke();
        }
    }

    /// <summary>
    /// Makes this host's claims in the store what it holds: a claim of an address it no longer holds (released while
    /// the store was away, or written by a put whose outcome was unknown) is deleted, compared on its revision; an
    /// address it holds without a claim (freed by another host while this one's registration had lapsed) is claimed
    /// again if nobody took it, and logged if somebody did. Returns how many claims it put right.
    /// </summary>
    public int ReconcileClaims(ILogger logger)
    {
        if (Volatile.Read(ref _store) is not { } store) return 0;
        int fixedUp = 0;
        var listed = store.List(GlobalKeys.Addresses).Entries; // before the snapshot below: see _claimed
        var inStore = new HashSet<(string, string)>();
        foreach (var entry in listed)
        {
            var rest = entry.Key[GlobalKeys.Addresses.Length..];
            int slash = rest.IndexOf('/', StringComparison.Ordinal);
            if (slash <= 0) continue;
            var claim = (rest[..slash], rest[(slash + 1)..]);
            if (HolderOf(entry) != _host) continue;
            inStore.Add(claim);
            if (_claimed.ContainsKey(claim)) continue;
            if (store.Delete(entry.Key, entry.ModRevision).Succeeded) fixedUp++;
        }
        foreach (var (network, address) in _claimed.Keys)
        {
            if (inStore.Contains((network, address)) || !_global.ContainsKey(network)) continue;
            var key = GlobalKeys.AddressesOf(network) + address;
            var put = store.Put(key, Holder(), StoreRevisions.Absent);
            if (put.Succeeded) fixedUp++;
            else if (HolderOf(put.Current) is { } other && other != _host)
                ClusterLog.ClaimFailed(logger, key, $"this host's endpoint holds the address, but host {other} claimed it meanwhile");
        }
        return fixedUp;
    }

    /// <summary>Every global network's subnets as /ipam/pools holds them now (a subnet pick avoids them).</summary>
    public IReadOnlyList<IPNetwork> GlobalSubnets() => [.. ReadPools(Store).Pools.Select(p => IPNetwork.Parse(p.Subnet))];

    /// <summary>
    /// Frees an address that a dead host held (its endpoint record expired with its lease): only if that host still
    /// holds it and is no longer registered, compared and deleted on the entry's revision, so a new holder is never hit.
    /// </summary>
    public void ReleaseForeign(string networkId, IPAddress address, string host)
    {
        if (host == _host || Volatile.Read(ref _store) is not { } store) return;
        if (store.Get(GlobalKeys.Host(host)) is not null) return; // alive: it releases its own
        var key = GlobalKeys.Address(networkId, address);
        if (store.Get(key) is { } held && HolderOf(held) == host) store.Delete(key, held.ModRevision);
    }

    /// <summary>
    /// Records a new global network's subnets in /ipam/pools, refusing one that overlaps a subnet of another global
    /// network; compare-and-swap on the list's revision, retried when another host changed it meanwhile.
    /// </summary>
    public void AddPools(string networkId, string networkName, IReadOnlyList<SubnetState> subnets)
    {
        if (TryAddPools(networkId, networkName, subnets) is { } overlap) throw PlexusException.Conflict(overlap.Describe(networkName));
    }

    /// <summary>As <see cref="AddPools"/>, but an overlap is returned (nothing recorded) rather than thrown, so a picked subnet can be picked again.</summary>
    public PoolOverlap? TryAddPools(string networkId, string networkName, IReadOnlyList<SubnetState> subnets)
    {
        var store = Store;
        while (true)
        {
            var (pools, revision) = ReadPools(store);
            foreach (var subnet in subnets)
                foreach (var pool in pools)
                    if (IPMath.Overlaps(subnet.Subnet, IPNetwork.Parse(pool.Subnet)))
                        return new PoolOverlap(subnet.Subnet, pool);
            pools.AddRange(subnets.Select(s => new GlobalPool(s.Subnet.ToString(), networkId, networkName)));
            if (store.Put(GlobalKeys.Pools, JsonSerializer.Serialize(pools, ClusterJsonContext.Default.ListGlobalPool), revision).Succeeded) return null;
        }
    }

    /// <summary>Removes a deleted global network's subnets from /ipam/pools.</summary>
    public void RemovePools(string networkId)
    {
        var store = Store;
        while (true)
        {
            var (pools, revision) = ReadPools(store);
            if (pools.RemoveAll(p => p.Network == networkId) == 0) return;
            if (store.Put(GlobalKeys.Pools, JsonSerializer.Serialize(pools, ClusterJsonContext.Default.ListGlobalPool), revision).Succeeded) return;
        }
    }

    private static (List<GlobalPool> Pools, long Revision) ReadPools(IGlobalStore store) =>
        store.Get(GlobalKeys.Pools) is { } entry
            ? (JsonSerializer.Deserialize(entry.Value, ClusterJsonContext.Default.ListGlobalPool) ?? [], entry.ModRevision)
            : ([], StoreRevisions.Absent);

    private string Holder() => JsonSerializer.Serialize(new AddressHolder(_host), ClusterJsonContext.Default.AddressHolder);

    private static string? HolderOf(KeyValue? entry)
    {
        if (entry is null) return null;
        try
        {
            return JsonSerializer.Deserialize(entry.Value, ClusterJsonContext.Default.AddressHolder)?.Host;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
