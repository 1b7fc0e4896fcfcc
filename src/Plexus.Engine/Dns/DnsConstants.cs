namespace Plexus.Engine.Dns;

/// <summary>Record types the resolver answers or recognises (RFC 1035, 3596, 6891).</summary>
public static class DnsType
{
    public const ushort A = 1;
    public const ushort Ptr = 12;
    public const ushort Aaaa = 28;
    public const ushort Opt = 41;
    public const ushort Any = 255;
}

/// <summary>Response codes (RFC 1035 4.1.1).</summary>
public enum DnsRcode : byte
{
    NoError = 0,
    FormErr = 1,
    ServFail = 2,
    NxDomain = 3,
    NotImp = 4,
    Refused = 5,
}

/// <summary>Fixed sizes and limits of the wire format.</summary>
public static class DnsLimits
{
    public const int HeaderLength = 12;

    /// <summary>The largest UDP answer without EDNS (RFC 1035 4.2.1).</summary>
    public const int ClassicUdp = 512;

    /// <summary>The largest UDP answer the resolver sends even when a client advertises more (DNS flag day 2020).</summary>
    public const int MaxUdp = 1232;

    /// <summary>A name on the wire, length octets included (RFC 1035 2.3.4).</summary>
    public const int MaxName = 255;

    public const int MaxLabel = 63;

    public const ushort ClassIn = 1;
}
