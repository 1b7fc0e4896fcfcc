using System.Buffers.Binary;
using System.Globalization;

namespace Plexus.Kernel.Types;

/// <summary>A 48-bit Ethernet address.</summary>
public readonly record struct MacAddress : ISpanFormattable
{
    private readonly ulong _value; // low 48 bits, big-endian order of the six bytes

    private MacAddress(ulong value) => _value = value & 0xFFFF_FFFF_FFFFUL;

    public MacAddress(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != 6)
            throw new ArgumentException($"a MAC address has 6 bytes, not {bytes.Length}", nameof(bytes));
        Span<byte> b = stackalloc byte[8];
        b.Clear();
        bytes.CopyTo(b[2..]);
        _value = BinaryPrimitives.ReadUInt64BigEndian(b);
    }

    public void CopyTo(Span<byte> destination)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(b, _value);
        b[2..].CopyTo(destination);
    }

    public byte[] GetBytes()
    {
        var bytes = new byte[6];
        CopyTo(bytes);
        return bytes;
    }

    public bool IsMulticast => ((_value >> 40) & 1) != 0;

    /// <summary>Docker's container MAC: 02:42 followed by the four bytes of the IPv4 address.</summary>
    public static MacAddress FromIPv4(System.Net.IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
            throw new ArgumentException($"'{address}' is not an IPv4 address", nameof(address));
        Span<byte> b = stackalloc byte[6];
        b[0] = 0x02;
        b[1] = 0x42;
        address.TryWriteBytes(b[2..], out _);
        return new MacAddress(b);
    }

    public static MacAddress Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out var mac) ? mac
            : throw new FormatException($"'{text}' is not a MAC address (expected six hex pairs such as 02:42:ac:11:00:02)");
    }

    public static bool TryParse(ReadOnlySpan<char> text, out MacAddress mac)
    {
        mac = default;
        if (text.Length != 17) return false;
        ulong v = 0;
        for (int i = 0; i < 6; i++)
        {
            if (i > 0 && text[i * 3 - 1] is not (':' or '-')) return false;
            if (!byte.TryParse(text.Slice(i * 3, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var part))
                return false;
            v = (v << 8) | part;
        }
        mac = new MacAddress(v);
        return true;
    }

    public override string ToString() => ToString(null, null);

    public string ToString(string? format, IFormatProvider? formatProvider) =>
        string.Create(17, _value, static (span, v) =>
        {
            for (int i = 0; i < 6; i++)
            {
                var part = (byte)(v >> (40 - 8 * i));
                part.TryFormat(span.Slice(i * 3, 2), out _, "x2", CultureInfo.InvariantCulture);
                if (i < 5) span[i * 3 + 2] = ':';
            }
        });

    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider)
    {
        var s = ToString();
        charsWritten = 0;
        if (!s.AsSpan().TryCopyTo(destination)) return false;
        charsWritten = s.Length;
        return true;
    }
}
