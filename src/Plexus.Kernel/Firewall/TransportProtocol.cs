namespace Plexus.Kernel.Firewall;

/// <summary>The transport protocols a port can be published or linked for.</summary>
public enum TransportProtocol
{
    Tcp,
    Udp,
    Sctp,
}

public static class TransportProtocols
{
    /// <summary>The name nft, iptables and Docker use: "tcp", "udp", "sctp".</summary>
    public static string Name(this TransportProtocol protocol) => protocol switch
    {
        TransportProtocol.Tcp => "tcp",
        TransportProtocol.Udp => "udp",
        TransportProtocol.Sctp => "sctp",
        _ => throw new ArgumentOutOfRangeException(nameof(protocol), protocol, "not a transport protocol Plexus knows"),
    };

    /// <summary>Parses "tcp", "udp" or "sctp" (any case).</summary>
    public static TransportProtocol Parse(string text) => text?.ToUpperInvariant() switch
    {
        "TCP" => TransportProtocol.Tcp,
        "UDP" => TransportProtocol.Udp,
        "SCTP" => TransportProtocol.Sctp,
        _ => throw new FormatException($"'{text}' is not a transport protocol: use tcp, udp or sctp"),
    };
}
