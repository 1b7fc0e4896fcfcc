using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Plexus.Engine.Ipam;

/// <summary>
/// Address arithmetic on <see cref="UInt128"/>: an IPv4 address is its 32-bit value, an IPv6 address its
/// 128-bit value, so one code path serves both families.
/// </summary>
internal static class IPMath
{
    public static int BitLength(AddressFamily family) => family switch
    {
        AddressFamily.InterNetwork => 32,
        AddressFamily.InterNetworkV6 => 128,
        _ => throw new ArgumentException($"address family {family} is neither IPv4 nor IPv6", nameof(family)),
    };

    public static int Version(AddressFamily family) => BitLength(family) == 32 ? 4 : 6;

    public static int Version(IPAddress address) => Version(address.AddressFamily);

    public static int Version(IPNetwork network) => Version(network.BaseAddress.AddressFamily);

    public static string VersionName(int version) => version == 4 ? "IPv4" : "IPv6";

    /// <summary>
    /// ::ffff:a.b.c.d is an IPv4 address written as IPv6; Docker unmaps such addresses, and so do we, so
    /// that "::ffff:172.18.0.5" finds the IPv4 subnet it belongs to.
    /// </summary>
    public static IPAddress Normalize(IPAddress address) =>
        address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    public static UInt128 ToUInt128(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (!address.TryWriteBytes(bytes, out int written))
            throw new ArgumentException($"'{address}' could not be read as bytes", nameof(address));
        return written == 4
            ? BinaryPrimitives.ReadUInt32BigEndian(bytes)
            : BinaryPrimitives.ReadUInt128BigEndian(bytes);
    }

    public static IPAddress ToAddress(UInt128 value, AddressFamily family)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (BitLength(family) == 32)
        {
            if (value > uint.MaxValue)
                throw new ArgumentOutOfRangeException(nameof(value), "value does not fit an IPv4 address");
            BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)value);
            return new IPAddress(bytes[..4]);
        }
        BinaryPrimitives.WriteUInt128BigEndian(bytes, value);
        return new IPAddress(bytes);
    }

    /// <summary>The low <paramref name="hostBits"/> bits set (0 to 128 bits).</summary>
    public static UInt128 HostMask(int hostBits) =>
        hostBits >= 128 ? UInt128.MaxValue : (UInt128.One << hostBits) - UInt128.One;

    public static int HostBits(IPNetwork network) =>
        BitLength(network.BaseAddress.AddressFamily) - network.PrefixLength;

    /// <summary>The first and last address of a prefix as numbers.</summary>
    public static (UInt128 First, UInt128 Last) Bounds(IPNetwork network)
    {
        var first = ToUInt128(network.BaseAddress);
        return (first, first | HostMask(HostBits(network)));
    }

    public static bool SameFamily(IPNetwork a, IPNetwork b) =>
        a.BaseAddress.AddressFamily == b.BaseAddress.AddressFamily;

    /// <summary>Two prefixes overlap exactly when one contains the other.</summary>
    public static bool Overlaps(IPNetwork a, IPNetwork b)
    {
        if (!SameFamily(a, b)) return false;
        var (aFirst, aLast) = Bounds(a);
        var (bFirst, bLast) = Bounds(b);
        return aFirst <= bLast && bFirst <= aLast;
    }

    /// <summary>True when every address of <paramref name="inner"/> is in <paramref name="outer"/>.</summary>
    public static bool Contains(IPNetwork outer, IPNetwork inner) =>
        SameFamily(outer, inner) && inner.PrefixLength >= outer.PrefixLength && outer.Contains(inner.BaseAddress);
}
