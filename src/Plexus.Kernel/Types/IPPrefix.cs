using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Plexus.Kernel.Types;

/// <summary>
/// An address with a prefix length, as it sits on an interface (172.18.0.1/16): unlike
/// <see cref="IPNetwork"/>, the host bits are kept.
/// </summary>
public readonly record struct IPPrefix
{
    public IPPrefix(IPAddress address, int prefixLength)
    {
        ArgumentNullException.ThrowIfNull(address);
        int max = address.AddressFamily == AddressFamily.InterNetwork ? 32
            : address.AddressFamily == AddressFamily.InterNetworkV6 ? 128
            : throw new ArgumentException($"'{address}' is neither IPv4 nor IPv6", nameof(address));
        if (prefixLength < 0 || prefixLength > max)
            throw new ArgumentOutOfRangeException(nameof(prefixLength), prefixLength,
                $"prefix length /{prefixLength} is out of range for {address} (0 to {max})");
        Address = address;
        PrefixLength = prefixLength;
    }

    public IPAddress Address { get; }

    public int PrefixLength { get; }

    public bool IsIPv4 => Address.AddressFamily == AddressFamily.InterNetwork;

    /// <summary>The network this prefix belongs to, host bits cleared.</summary>
    public IPNetwork Network => new(Mask(Address, PrefixLength), PrefixLength);

    /// <summary>Parses "10.0.0.1/24"; a bare address gets the full-length prefix.</summary>
    public static IPPrefix Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var addrText = slash < 0 ? text : text[..slash];
        if (!IPAddress.TryParse(addrText, out var address))
            throw new FormatException($"'{text}' is not an address with a prefix (expected e.g. 172.18.0.1/16 or fd00::1/64)");
        int max = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        int length = max;
        if (slash >= 0 && !int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out length))
            throw new FormatException($"'{text}' has no valid prefix length after '/'");
        if (length > max)
            throw new FormatException($"prefix length /{length} in '{text}' is out of range (0 to {max})");
        return new IPPrefix(address, length);
    }

    public override string ToString() => $"{Address}/{PrefixLength}";

    /// <summary>The address with every bit after the first <paramref name="prefixLength"/> cleared.</summary>
    public static IPAddress Mask(IPAddress address, int prefixLength)
    {
        ArgumentNullException.ThrowIfNull(address);
        Span<byte> b = stackalloc byte[16];
        address.TryWriteBytes(b, out int n);
        b = b[..n];
        for (int i = 0; i < n; i++)
        {
            int keep = Math.Clamp(prefixLength - i * 8, 0, 8);
            b[i] &= (byte)(0xFF << (8 - keep));
        }
        return new IPAddress(b);
    }
}
