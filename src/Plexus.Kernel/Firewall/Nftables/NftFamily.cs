namespace Plexus.Kernel.Firewall.Nftables;

/// <summary>NFPROTO_*: the nf_tables families by number (netlink) and by the name nft gives them.</summary>
public static class NftFamily
{
    public const byte Inet = 1;
    public const byte IPv4 = 2;
    public const byte Bridge = 7;
    public const byte IPv6 = 10;

    /// <summary>The number of a family nft names "inet", "ip", "ip6" or "bridge".</summary>
    public static byte Number(string name) => name switch
    {
        "inet" => Inet,
        "ip" => IPv4,
        "ip6" => IPv6,
        "bridge" => Bridge,
        _ => throw new ArgumentException($"'{name}' is not an nf_tables family Plexus uses (inet, ip, ip6, bridge)", nameof(name)),
    };
}
