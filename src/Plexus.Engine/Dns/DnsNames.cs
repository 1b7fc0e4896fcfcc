using System.Globalization;
using System.Net;
using System.Text;

namespace Plexus.Engine.Dns;

/// <summary>
/// Domain names on the wire (RFC 1035 3.1, 4.1.4): reading a question's name into the form the resolver
/// looks up, skipping names in other records, writing names, and reverse (PTR) names.
/// </summary>
public static class DnsNames
{
    /// <summary>
    /// Reads an uncompressed name (a question's, which has nothing earlier to point at) as lower-case
    /// dotted text, without the final dot; the root is "". Characters that could be mistaken for syntax
    /// (a dot inside a label, a backslash, anything not printable) are written \DDD as in zone files, so
    /// no crafted label can match a name it is not. Null when the name is malformed: a pointer, a label
    /// running past the packet, or more than 255 octets.
    /// </summary>
    public static string? ReadQuestionName(ReadOnlySpan<byte> packet, ref int offset)
    {
        var sb = new StringBuilder(32);
        int wire = 0;
        int i = offset;
        while (true)
        {
            if (i >= packet.Length) return null;
            int length = packet[i];
            wire += 1 + length;
            if (wire > DnsLimits.MaxName) return null;
            if (length == 0) break;
            if (length > DnsLimits.MaxLabel) return null; // a pointer (0xC0) or a reserved label type
            if (i + 1 + length > packet.Length) return null;
            if (sb.Length > 0) sb.Append('.');
            foreach (byte b in packet.Slice(i + 1, length))
            {
                if (b is >= (byte)'A' and <= (byte)'Z') sb.Append((char)(b + 32));
                else if (b is > 0x20 and < 0x7F and not (byte)'.' and not (byte)'\\') sb.Append((char)b);
                else sb.Append('\\').Append(b.ToString("D3", CultureInfo.InvariantCulture));
            }
            i += 1 + length;
        }
        offset = i + 1;
        return sb.ToString();
    }

    /// <summary>Skips a name that may end in a compression pointer. False when it runs past the packet.</summary>
    public static bool Skip(ReadOnlySpan<byte> packet, ref int offset)
    {
        int i = offset;
        for (int wire = 0; wire <= DnsLimits.MaxName;)
        {
            if (i >= packet.Length) return false;
            int length = packet[i];
            if (length == 0)
            {
                offset = i + 1;
                return true;
            }
            if ((length & 0xC0) == 0xC0)
            {
                if (i + 2 > packet.Length) return false;
                offset = i + 2;
                return true;
            }
            if (length > DnsLimits.MaxLabel) return false;
            wire += 1 + length;
            i += 1 + length;
        }
        return false;
    }

    /// <summary>
    /// Writes a dotted name (Plexus's own names: sandbox and network names, aliases) in wire form.
    /// Returns the octets written, or -1 when it does not fit or a label is empty or too long.
    /// </summary>
    public static int Write(Span<byte> destination, string name)
    {
        int o = 0;
        foreach (var range in name.AsSpan().Split('.'))
        {
            var label = name.AsSpan()[range];
            if (label.Length == 0) continue; // "" (the root) and a final dot
            if (label.Length > DnsLimits.MaxLabel || o + 1 + label.Length >= destination.Length) return -1;
            destination[o++] = (byte)label.Length;
            foreach (char c in label)
            {
                if (c > 0x7F) return -1;
                destination[o++] = (byte)c;
            }
        }
        if (o >= destination.Length || o + 1 > DnsLimits.MaxName) return -1;
        destination[o++] = 0;
        return o;
    }

    /// <summary>
    /// The address a reverse name stands for: "4.3.2.1.in-addr.arpa" is 1.2.3.4, and 32 nibbles under
    /// "ip6.arpa" an IPv6 address. False for anything else, partial names (a whole subnet) included.
    /// </summary>
    public static bool TryParseReverse(string name, out IPAddress address)
    {
        address = IPAddress.None;
        const string v4 = ".in-addr.arpa", v6 = ".ip6.arpa";
        if (name.EndsWith(v4, StringComparison.Ordinal))
        {
            var parts = name[..^v4.Length].Split('.');
            if (parts.Length != 4) return false;
            Span<byte> bytes = stackalloc byte[4];
            for (int i = 0; i < 4; i++)
            {
                var p = parts[3 - i];
                if (p.Length is 0 or > 3 || (p.Length > 1 && p[0] == '0')
                    || !byte.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out bytes[i]))
                    return false;
            }
            address = new IPAddress(bytes);
            return true;
        }
        if (name.EndsWith(v6, StringComparison.Ordinal))
        {
            var nibbles = name[..^v6.Length];
            if (nibbles.Length != 63) return false;
            Span<byte> bytes = stackalloc byte[16];
            for (int i = 0; i < 32; i++)
            {
                char c = nibbles[i * 2];
                if (i < 31 && nibbles[i * 2 + 1] != '.') return false;
                int v = HexValue(c);
                if (v < 0) return false;
                int index = 15 - i / 2;
                bytes[index] |= (byte)(i % 2 == 0 ? v : v << 4);
            }
            address = new IPAddress(bytes);
            return true;
        }
        return false;
    }

    /// <summary>The reverse name of an address, as PTR queries ask for it.</summary>
    public static string ReverseName(IPAddress address)
    {
        var bytes = address.GetAddressBytes();
        if (bytes.Length == 4) return $"{bytes[3]}.{bytes[2]}.{bytes[1]}.{bytes[0]}.in-addr.arpa";
        var sb = new StringBuilder(72);
        for (int i = 15; i >= 0; i--)
            sb.Append("0123456789abcdef"[bytes[i] & 0xF]).Append('.').Append("0123456789abcdef"[bytes[i] >> 4]).Append('.');
        return sb.Append("ip6.arpa").ToString();
    }

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        _ => -1,
    };
}
