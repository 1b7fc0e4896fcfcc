using System.Buffers.Binary;

namespace Plexus.Engine.Dns;

/// <summary>What to do with a packet that arrived at the resolver.</summary>
public enum QueryParse
{
    /// <summary>A well-formed standard query.</summary>
    Ok,

    /// <summary>Not worth an answer: shorter than a header, or a response (answering it could loop).</summary>
    Drop,

    /// <summary>A query the resolver cannot read: answer FORMERR with its id.</summary>
    FormErr,

    /// <summary>An opcode other than QUERY: answer NOTIMP.</summary>
    NotImp,
}

/// <summary>
/// A client's query: its header, its one question (the name lower-cased, as DNS names compare without
/// case), and what its EDNS record says about the answer size it takes. The question's bytes stay in the
/// packet (<see cref="QuestionEnd"/>) so answers echo them exactly, case included (RFC 4343, 0x20 bits).
/// </summary>
public readonly record struct DnsQuery(
    ushort Id, ushort Flags, string Name, ushort Type, ushort Class, int QuestionEnd, bool Edns, int UdpPayload)
{
    private const ushort ResponseBit = 0x8000;

    public int Opcode => (Flags >> 11) & 0xF;

    public bool RecursionDesired => (Flags & 0x0100) != 0;

    /// <summary>The largest UDP answer this client takes.</summary>
    public int MaxUdpAnswer => Edns ? Math.Clamp(UdpPayload, DnsLimits.ClassicUdp, DnsLimits.MaxUdp) : DnsLimits.ClassicUdp;

    /// <summary>
    /// Reads a query. Never throws: a packet that is not a readable query gives <see cref="QueryParse.Drop"/>,
    /// <see cref="QueryParse.FormErr"/> or <see cref="QueryParse.NotImp"/>, with the header's id and flags in
    /// <paramref name="query"/> whenever there is a header to answer.
    /// </summary>
    public static QueryParse TryParse(ReadOnlySpan<byte> packet, out DnsQuery query)
    {
        query = default;
        if (packet.Length < DnsLimits.HeaderLength) return QueryParse.Drop;
        ushort id = BinaryPrimitives.ReadUInt16BigEndian(packet);
        ushort flags = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
        query = new DnsQuery(id, flags, "", 0, 0, DnsLimits.HeaderLength, false, 0);
        if ((flags & ResponseBit) != 0) return QueryParse.Drop;
        if (query.Opcode != 0) return QueryParse.NotImp;
        ushort qd = BinaryPrimitives.ReadUInt16BigEndian(packet[4..]);
        ushort an = BinaryPrimitives.ReadUInt16BigEndian(packet[6..]);
        ushort ns = BinaryPrimitives.ReadUInt16BigEndian(packet[8..]);
        ushort ar = BinaryPrimitives.ReadUInt16BigEndian(packet[10..]);
        // One question, no answers or authority: anything else is not a query this resolver can answer.
        if (qd != 1 || an != 0 || ns != 0) return QueryParse.FormErr;

        int offset = DnsLimits.HeaderLength;
        var name = DnsNames.ReadQuestionName(packet, ref offset);
        if (name is null || offset + 4 > packet.Length) return QueryParse.FormErr;
        ushort type = BinaryPrimitives.ReadUInt16BigEndian(packet[offset..]);
        ushort @class = BinaryPrimitives.ReadUInt16BigEndian(packet[(offset + 2)..]);
        offset += 4;
        int questionEnd = offset;

        bool edns = false;
        int payload = 0;
        for (int i = 0; i < ar; i++)
        {
            int nameStart = offset;
            if (!DnsNames.Skip(packet, ref offset) || offset + 10 > packet.Length) return QueryParse.FormErr;
            ushort rrType = BinaryPrimitives.ReadUInt16BigEndian(packet[offset..]);
            ushort rrClass = BinaryPrimitives.ReadUInt16BigEndian(packet[(offset + 2)..]);
            ushort rdLength = BinaryPrimitives.ReadUInt16BigEndian(packet[(offset + 8)..]);
            offset += 10;
            if (offset + rdLength > packet.Length) return QueryParse.FormErr;
            offset += rdLength;
            if (rrType != DnsType.Opt) continue;
            // RFC 6891 6.1.1: one OPT record, owned by the root.
            if (edns || packet[nameStart] != 0 || offset - rdLength - 10 != nameStart + 1) return QueryParse.FormErr;
            edns = true;
            payload = rrClass;
        }
        query = new DnsQuery(id, flags, name, type, @class, questionEnd, edns, payload);
        return QueryParse.Ok;
    }
}
