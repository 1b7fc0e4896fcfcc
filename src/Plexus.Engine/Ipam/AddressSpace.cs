using System.Net;

namespace Plexus.Engine.Ipam;

/// <summary>
/// The subnets every network holds, and the search for a free subnet in the default pools. Not
/// thread-safe: <see cref="DefaultIpam"/> changes it under one lock, so two networks created at once
/// cannot be given the same subnet.
/// </summary>
internal sealed class AddressSpace
{
    private readonly Dictionary<string, (string Name, IReadOnlyList<IPNetwork> Subnets)> _networks = new(StringComparer.Ordinal);

    public AddressSpace(IReadOnlyList<AddressPoolSpec> pools) => Pools = pools;

    public IReadOnlyList<AddressPoolSpec> Pools { get; }

    public void Add(string networkId, string networkName, IReadOnlyList<IPNetwork> subnets) =>
        _networks[networkId] = (networkName, subnets);

    public void Remove(string networkId) => _networks.Remove(networkId);

    /// <summary>The first subnet of another network that overlaps <paramref name="subnet"/>, with its network's name.</summary>
    public (string NetworkName, IPNetwork Subnet)? FindOverlap(IPNetwork subnet)
    {
        foreach (var (name, subnets) in _networks.Values)
            foreach (var held in subnets)
                if (IPMath.Overlaps(held, subnet))
                    return (name, held);
        return null;
    }

    /// <summary>
    /// The first subnet, in pool order, of the given IP version that overlaps no network's subnet and
    /// none of <paramref name="avoid"/>; null when every candidate is taken.
    /// </summary>
    /// <remarks>
    /// A candidate that overlaps something is skipped together with everything that blocker covers, so
    /// the search costs one step per blocker, not one per candidate: a /48 split into /64s has 65,536.
    /// </remarks>
    public IPNetwork? FindFree(int ipVersion, IEnumerable<IPNetwork> avoid)
    {
        var blockers = _networks.Values.SelectMany(n => n.Subnets)
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
