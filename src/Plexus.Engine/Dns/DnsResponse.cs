using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Plexus.Engine.Dns;

/// <summary>
/// Writes the resolver's own answers. An answer echoes the client's question exactly and points back at it
/// for every record's owner name; what does not fit the client's size is cut at a whole record with TC set,
/// so the client retries over TCP (RFC 1035 4.2.1, RFC 7766).
/// </summary>
public static class DnsResponse
{
    /// <summary>
    /// Seconds a client may keep an answer. Short, because names follow sandboxes at once (a sandbox that
    /// leaves or comes back with another address must not linger in caches for Docker's 600 seconds).
    /// </summary>
    public const uint Ttl = 10;

    private const ushort Response = 0x8000, Authoritative = 0x0400, Truncated = 0x0200, RecursionDesired = 0x0100,
        RecursionAvailable = 0x0080, OpcodeMask = 0x7800;
    private const int OptLength = 11;

    /// <summary>An answer of only a header: FORMERR, NOTIMP (the question may be unreadable, so it is not echoed).</summary>
    public static int HeaderOnly(Span<byte> destination, in DnsQuery query, DnsRcode rcode)
    {
        if (destination.Length < DnsLimits.HeaderLength) return 0;
        WriteHeader(destination, query, rcode, authoritative: false, truncated: false, answers: 0, additional: 0, question: false);
        return DnsLimits.HeaderLength;
    }

    /// <summary>
    /// A full answer to <paramref name="query"/> read from <paramref name="packet"/>: addresses (A or AAAA,
    /// as the question asks; the list starts at <paramref name="rotate"/> so that names with several
    /// sandboxes rotate) or PTR names, written up to <paramref name="maxLength"/> octets.
    /// </summary>
    public static int Answer(Span<byte> destination, ReadOnlySpan<byte> packet, in DnsQuery query, DnsRcode rcode,
        IReadOnlyList<IPAddress> addresses, IReadOnlyList<string> ptrNames, int rotate, int maxLength)
    {
        int limit = Math.Min(destination.Length, maxLength);
        var question = packet[DnsLimits.HeaderLength..query.QuestionEnd];
        int reserve = query.Edns ? OptLength : 0;
        if (limit < DnsLimits.HeaderLength + question.Length + reserve) return HeaderOnly(destination, query, DnsRcode.ServFail);
        question.CopyTo(destination[DnsLimits.HeaderLength..]);
        int o = DnsLimits.HeaderLength + question.Length;
        int written = 0;
        bool truncated = false;
        int total = addresses.Count + ptrNames.Count;
        Span<byte> rdata = stackalloc byte[DnsLimits.MaxName];
        for (int k = 0; k < total; k++)
        {
            int rdLength;
            ushort type;
            if (k < addresses.Count)
            {
                var address = addresses[(k + rotate) % addresses.Count];
                type = address.AddressFamily == AddressFamily.InterNetwork ? DnsType.A : DnsType.Aaaa;
                address.TryWriteBytes(rdata, out rdLength);
            }
            else
            {
                type = DnsType.Ptr;
                rdLength = DnsNames.Write(rdata, ptrNames[k - addresses.Count]);
                if (rdLength < 0) continue;
            }
            if (o + 12 + rdLength + reserve > limit)
            {
                truncated = true;
                break;
            }
            var rr = destination[o..];
            BinaryPrimitives.WriteUInt16BigEndian(rr, 0xC000 | DnsLimits.HeaderLength); // the question's name
            BinaryPrimitives.WriteUInt16BigEndian(rr[2..], type);
            BinaryPrimitives.WriteUInt16BigEndian(rr[4..], DnsLimits.ClassIn);
            BinaryPrimitives.WriteUInt32BigEndian(rr[6..], Ttl);
            BinaryPrimitives.WriteUInt16BigEndian(rr[10..], (ushort)rdLength);
            rdata[..rdLength].CopyTo(rr[12..]);
            o += 12 + rdLength;
            written++;
        }
        if (query.Edns)
        {
            var opt = destination[o..];
            opt[0] = 0; // the root
            BinaryPrimitives.WriteUInt16BigEndian(opt[1..], DnsType.Opt);
            BinaryPrimitives.WriteUInt16BigEndian(opt[3..], DnsLimits.MaxUdp);
            BinaryPrimitives.WriteUInt32BigEndian(opt[5..], 0);
            BinaryPrimitives.WriteUInt16BigEndian(opt[9..], 0);
            o += OptLength;
        }
        WriteHeader(destination, query, rcode, authoritative: true, truncated, written, query.Edns ? 1 : 0, question: true);
        return o;
    }

    private static void WriteHeader(Span<byte> d, in DnsQuery query, DnsRcode rcode, bool authoritative, bool truncated,
        int answers, int additional, bool question)
    {
        ushort flags = (ushort)(Response | (query.Flags & (OpcodeMask | RecursionDesired)) | RecursionAvailable | (byte)rcode);
        if (authoritative) flags |= Authoritative;
        if (truncated) flags |= Truncated;
        BinaryPrimitives.WriteUInt16BigEndian(d, query.Id);
        BinaryPrimitives.WriteUInt16BigEndian(d[2..], flags);
        BinaryPrimitives.WriteUInt16BigEndian(d[4..], (ushort)(question ? 1 : 0));
        BinaryPrimitives.WriteUInt16BigEndian(d[6..], (ushort)answers);
        BinaryPrimitives.WriteUInt16BigEndian(d[8..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(d[10..], (ushort)additional);
    }
}
