using System.Net;

namespace Plexus.Engine.Ipam;

/// <summary>
/// A default address pool: a base network and the size of the subnets carved from it, as in Docker's
/// <c>default-address-pools</c> (<c>{"base":"192.168.0.0/16","size":20}</c> gives 192.168.0.0/20,
/// 192.168.16.0/20, ...). Networks created without <c>--subnet</c> get the first carved subnet that
/// overlaps nothing already in use.
/// </summary>
public sealed record AddressPoolSpec
{
    public AddressPoolSpec(IPNetwork @base, int size)
    {
        int bits = IPMath.BitLength(@base.BaseAddress.AddressFamily);
        // A carved subnet needs room for a gateway and one endpoint besides the reserved addresses.
        int smallest = bits == 32 ? 30 : 126;
        if (size < @base.PrefixLength || size < 1 || size > smallest)
            throw new ArgumentOutOfRangeException(nameof(size), size,
                $"pool {@base}: subnet size /{size} must be between /{Math.Max(1, @base.PrefixLength)} and /{smallest}");
        Base = @base;
        Size = size;
    }

    public IPNetwork Base { get; }

    /// <summary>Prefix length of the subnets carved from <see cref="Base"/>.</summary>
    public int Size { get; }

    public int IpVersion => IPMath.Version(Base);

    /// <summary>Docker's local defaults: 172.17.0.0/16 to 172.31.0.0/16 as /16s, then 192.168.0.0/16 as /20s.</summary>
    public static IReadOnlyList<AddressPoolSpec> DefaultIPv4 { get; } =
    [
        .. Enumerable.Range(17, 15).Select(b => new AddressPoolSpec(IPNetwork.Parse($"172.{b}.0.0/16"), 16)),
        new AddressPoolSpec(IPNetwork.Parse("192.168.0.0/16"), 20),
    ];

    /// <summary>
    /// The IPv6 default: /64s from the unique-local fd00:504c::/48 ("PL" in the global ID), 65,536
    /// networks. A fixed prefix keeps subnets predictable across hosts; configure another pool where it
    /// collides with a site's own ULA plan.
    /// </summary>
    public static AddressPoolSpec DefaultIPv6 { get; } = new(IPNetwork.Parse("fd00:504c::/48"), 64);

    /// <summary><see cref="DefaultIPv4"/> followed by <see cref="DefaultIPv6"/>.</summary>
    public static IReadOnlyList<AddressPoolSpec> Defaults { get; } = [.. DefaultIPv4, DefaultIPv6];

    public override string ToString() => $"{Base} split into /{Size}";
}
