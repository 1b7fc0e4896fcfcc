namespace Plexus.Engine.Dns;

/// <summary>What the resolver does with one packet.</summary>
public enum QueryDecision
{
    /// <summary>Say nothing (not a query).</summary>
    Drop,

    /// <summary>Send the answer written into the response buffer.</summary>
    Respond,

    /// <summary>Forward the query upstream and relay the answer.</summary>
    Forward,
}

/// <summary>
/// The resolver's decisions for one sandbox, free of sockets: reads a packet, answers it from the
/// registry, or says it must go upstream. Never throws on any input.
/// </summary>
public sealed class QueryHandler(DnsRegistry registry, string sandboxId)
{
    /// <summary>Queries longer than this are not queries any client sends; they get FORMERR.</summary>
    public const int MaxQuery = 4096;

    private int _rotation;

    public string SandboxId { get; } = sandboxId;

    /// <summary>
    /// Set while the sandbox is on no network with names (its resolver idles between a leave and the next join):
    /// every well-formed question gets REFUSED, none is looked up or forwarded.
    /// </summary>
    public bool Refusing
    {
        get => _refusing;
        set => _refusing = value;
    }

    private volatile bool _refusing;

    /// <summary>
    /// Decides what to do with <paramref name="packet"/>. For <see cref="QueryDecision.Respond"/> the answer
    /// is in <paramref name="response"/>[..<paramref name="length"/>], at most <paramref name="maxLength"/>
    /// octets, or the client's own UDP limit when <paramref name="overUdp"/> is set.
    /// </summary>
    public QueryDecision Handle(ReadOnlySpan<byte> packet, Span<byte> response, bool overUdp, int maxLength,
        out DnsQuery query, out int length)
    {
        length = 0;
        var parsed = packet.Length > MaxQuery ? Oversized(packet, out query) : DnsQuery.TryParse(packet, out query);
        switch (parsed)
        {
            case QueryParse.Drop:
                return QueryDecision.Drop;
            case QueryParse.FormErr:
                length = DnsResponse.HeaderOnly(response, query, DnsRcode.FormErr);
                return QueryDecision.Respond;
            case QueryParse.NotImp:
                length = DnsResponse.HeaderOnly(response, query, DnsRcode.NotImp);
                return QueryDecision.Respond;
        }
        int limit = overUdp ? Math.Min(query.MaxUdpAnswer, maxLength) : maxLength;
        if (Refusing)
        {
            length = Failure(response, packet, query, DnsRcode.Refused, limit);
            return QueryDecision.Respond;
        }
        var lookup = query.Class is DnsLimits.ClassIn or DnsType.Any
            ? registry.Lookup(SandboxId, query.Name, query.Type)
            : NameLookup.Foreign;
        if (lookup.IsLocal)
        {
            int rotate = lookup.Addresses.Count > 1 ? (int)((uint)Interlocked.Increment(ref _rotation) % (uint)lookup.Addresses.Count) : 0;
            length = DnsResponse.Answer(response, packet, query, lookup.Rcode, lookup.Addresses, lookup.PtrNames, rotate, limit);
            return QueryDecision.Respond;
        }
        var config = registry.ConfigOf(SandboxId);
        if (config.Forward && config.Upstreams.Count > 0) return QueryDecision.Forward;
        // Internal networks never forward; with no upstream at all there is nobody to ask.
        length = Failure(response, packet, query, config.Forward ? DnsRcode.ServFail : DnsRcode.Refused, limit);
        return QueryDecision.Respond;
    }

    /// <summary>An answer without records: SERVFAIL when upstream did not answer, REFUSED, and the like.</summary>
    public static int Failure(Span<byte> response, ReadOnlySpan<byte> packet, in DnsQuery query, DnsRcode rcode, int limit) =>
        DnsResponse.Answer(response, packet, query, rcode, [], [], 0, limit);

    private static QueryParse Oversized(ReadOnlySpan<byte> packet, out DnsQuery query)
    {
        var parsed = DnsQuery.TryParse(packet[..DnsLimits.HeaderLength], out query);
        return parsed == QueryParse.Drop ? QueryParse.Drop : QueryParse.FormErr;
    }
}
