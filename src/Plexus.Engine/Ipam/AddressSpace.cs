using System.Net;

namespace Plexus.Engine.Ipam;

/// <summary>
/// One address space of the default IPAM driver (LocalDefault, GlobalDefault): the subnet of every pool
/// reserved in it, and the search for a free subnet in the default pools. Not thread-safe:
/// <see cref="DefaultIpam"/> changes it under one lock, so two pools requested at once cannot be given
/// the same subnet.
/// </summary>
internal sealed class AddressSpace
{
    private readonly Dictionary<string, (string Owner, IPNetwork Subnet)> _pools = new(StringComparer.Ordinal);

    public AddressSpace(string name, IReadOnlyList<AddressPoolSpec> pools)
    {
        Name = name;
        Pools = pools;
    }

    public string Name { get; }

    public IReadOnlyList<AddressPoolSpec> Pools { get; }

    public bool Contains(string poolId) => _pools.ContainsKey(poolId);

    public void Add(string poolId, string owner, IPNetwork subnet) => _pools[poolId] = (owner, subnet);

    public void Remove(string poolId) => _pools.Remove(poolId);

    /// <summary>The first pool that overlaps <paramref name="subnet"/>: its owner ("network db") and subnet.</summary>
    public (string Owner, IPNetwork Subnet)? FindOverlap(IPNetwork subnet)
    {
        foreach (var (owner, held) in _pools.Values)
            if (IPMath.Overlaps(held, subnet))
                return (owner, held);
        return null;
    }

    /// <summary>
    /// The first subnet, in pool order, of the given IP version that overlaps no pool's subnet and
    /// none of <paramref name="avoid"/>; null when every candidate is taken.
    /// </summary>
    /// <remarks>
    /// A candidate that overlaps something is skipped together with everything that blocker covers, so
    /// the search costs one step per blocker, not one per candidate: a /48 split into /64s has 65,536.
    /// </remarks>
    public IPNetwork? FindFree(int ipVersion, IEnumerable<IPNetwork> avoid)
    {
        var blockers = _pools.Values.Select(p => p.Subnet)
            .Concat(avoid.Where(p => p.PrefixLength > 0)) // a default route is no reason to skip a subnet
            .Where(p => IPMath.Version(p) == ipVersion)
            .Select(IPMath.Bounds)
            .ToList();

        foreach (var pool in Pools)
        {
            if (pool.IpVersion != ipVersion) continue;
            var family = pool.Base.BaseAddress.AddressFamily;
            var (poolFirst, poolLast) = IPMath.Bounds(pool.Base);
            UInt128 span = IPMath.HostMask(IPMath.BitLength(family) - pool.Size);
            UInt128 candidate = poolFirst;
            while (true)
            {
                UInt128 candidateLast = candidate + span;
                UInt128 end = candidateLast;
                bool blocked = false;
                foreach (var (first, last) in blockers)
                {
                    if (first <= candidateLast && candidate <= last)
                    {
                        blocked = true;
                        if (last > end) end = last;
                    }
                }
                if (!blocked)
                    return new IPNetwork(IPMath.ToAddress(candidate, family), pool.Size);
                // Prefixes nest or are disjoint, so past a blocker's end is a candidate boundary again.
                if (end >= poolLast) break;
                candidate = end + UInt128.One;
            }
        }
        return null;
    }
}
