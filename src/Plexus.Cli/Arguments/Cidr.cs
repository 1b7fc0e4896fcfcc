using System.Globalization;
using System.Net;

namespace Plexus.Cli.Arguments;

/// <summary>An address with a prefix length, host bits allowed (10.1.0.1/24), as Go's net.ParseCIDR reads it.</summary>
internal readonly record struct Cidr(IPAddress Address, int PrefixLength)
{
    public static bool TryParse(string text, out Cidr cidr)
    {
        cidr = default;
        int slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || !IPAddress.TryParse(text.AsSpan(0, slash), out var ip)) return false;
        if (!int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var length)) return false;
        int max = ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128;
        if (length > max || text.AsSpan(0, slash).Contains('%')) return false;
        cidr = new Cidr(ip, length);
        return true;
    }

    public bool Contains(IPAddress ip)
    {
        if (ip.AddressFamily != Address.AddressFamily) return false;
        var a = Address.GetAddressBytes();
        var b = ip.GetAddressBytes();
        int bits = PrefixLength;
        for (int i = 0; i < a.Length && bits > 0; i++, bits -= 8)
        {
            int mask = bits >= 8 ? 0xFF : (0xFF << (8 - bits)) & 0xFF;
            if ((a[i] & mask) != (b[i] & mask)) return false;
        }
        return true;
    }

    /// <summary>True when either network holds the other's first address (they overlap).</summary>
    public bool Overlaps(Cidr other) =>
        (PrefixLength <= other.PrefixLength && Contains(other.Address)) || (other.PrefixLength <= PrefixLength && other.Contains(Address));
}
