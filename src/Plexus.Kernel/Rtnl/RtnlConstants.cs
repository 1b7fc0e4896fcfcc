namespace Plexus.Kernel.Rtnl;

/// <summary>rtnetlink message types (linux/rtnetlink.h).</summary>
internal static class RtmType
{
    public const ushort NewLink = 16, DelLink = 17, GetLink = 18, SetLink = 19;
    public const ushort NewAddr = 20, DelAddr = 21, GetAddr = 22;
    public const ushort NewRoute = 24, DelRoute = 25, GetRoute = 26;
    public const ushort NewNeigh = 28, DelNeigh = 29, GetNeigh = 30;
}

internal static class AddressFamily
{
    public const byte Unspec = 0, Inet = 2, Bridge = 7, Inet6 = 10;

    public static byte Of(System.Net.IPAddress address) =>
        address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? Inet : Inet6;
}

/// <summary>IFLA_* attributes of struct ifinfomsg messages (linux/if_link.h).</summary>
internal static class Ifla
{
    public const ushort Address = 1, Broadcast = 2, IfName = 3, Mtu = 4, Link = 5, Master = 10, ProtInfo = 12,
        TxQLen = 13, OperState = 16, LinkInfo = 18, NetNsPid = 19, IfAlias = 20, AfSpec = 26, Group = 27, NetNsFd = 28, ExtMask = 29,
        Promiscuity = 30, NumTxQueues = 31, NumRxQueues = 32, Carrier = 33, LinkNetNsId = 37, NewIfIndex = 49, MinMtu = 50, MaxMtu = 51;

    // IFLA_LINKINFO
    public const ushort InfoKind = 1, InfoData = 2, InfoSlaveKind = 4, InfoSlaveData = 5;

    // IFLA_INFO_DATA of a veth
    public const ushort VethInfoPeer = 1;

    // IFLA_AF_SPEC / AF_INET6
    public const ushort Inet6AddrGenMode = 8;

    // IFLA_INFO_DATA of a bridge
    public const ushort BrForwardDelay = 1, BrHelloTime = 2, BrMaxAge = 3, BrAgeingTime = 4, BrStpState = 5,
        BrPriority = 6, BrVlanFiltering = 7, BrMcastSnooping = 23;

    // IFLA_PROTINFO of a bridge port (AF_BRIDGE)
    public const ushort BrportState = 1, BrportMode = 4, BrportLearning = 8, BrportUnicastFlood = 9, BrportIsolated = 33;

    // IFLA_INFO_DATA of a vxlan
    public const ushort VxlanId = 1, VxlanGroup = 2, VxlanLink = 3, VxlanLocal = 4, VxlanTtl = 5, VxlanLearning = 7,
        VxlanProxy = 11, VxlanPort = 15, VxlanGroup6 = 16, VxlanLocal6 = 17;

    // IFLA_INFO_DATA of a macvlan
    public const ushort MacvlanMode = 1;

    // IFLA_INFO_DATA of an 802.1q VLAN (linux/if_link.h IFLA_VLAN_*)
    public const ushort VlanId = 1, VlanProtocol = 5;

    // IFLA_INFO_DATA of an ipvlan (IFLA_IPVLAN_*)
    public const ushort IpvlanMode = 1, IpvlanFlags = 2;
}

/// <summary>Interface flags (net/if.h).</summary>
[Flags]
public enum InterfaceFlags : uint
{
    None = 0,
    Up = 0x1,
    Broadcast = 0x2,
    Loopback = 0x8,
    PointToPoint = 0x10,
    Running = 0x40,
    NoArp = 0x80,
    Promiscuous = 0x100,
    Multicast = 0x1000,
    LowerUp = 0x10000,
}

/// <summary>IFA_* attributes of struct ifaddrmsg messages.</summary>
internal static class Ifa
{
    public const ushort Address = 1, Local = 2, Label = 3, Broadcast = 4, CacheInfo = 6, Flags = 8;
}

/// <summary>RTA_* attributes of struct rtmsg messages.</summary>
internal static class Rta
{
    public const ushort Dst = 1, Src = 2, Iif = 3, Oif = 4, Gateway = 5, Priority = 6, PrefSrc = 7, Table = 15;
}

/// <summary>NDA_* attributes of struct ndmsg messages.</summary>
internal static class Nda
{
    public const ushort Dst = 1, LinkLayerAddress = 2, Vlan = 5, Port = 6, Vni = 7, IfIndex = 8, Master = 9;
}

/// <summary>Well-known routing tables.</summary>
public static class RouteTable
{
    public const uint Unspec = 0;
    public const uint Compat = 252;
    public const uint Default = 253;
    public const uint Main = 254;
    public const uint Local = 255;
}

/// <summary>Who installed a route (RTPROT_*).</summary>
public enum RouteProtocol : byte
{
    Unspec = 0,
    Redirect = 1,
    Kernel = 2,
    Boot = 3,
    Static = 4,
}

/// <summary>Route scope (RT_SCOPE_*).</summary>
public enum RouteScope : byte
{
    Universe = 0,
    Site = 200,
    Link = 253,
    Host = 254,
    Nowhere = 255,
}

/// <summary>Route type (RTN_*).</summary>
public enum RouteType : byte
{
    Unspec = 0,
    Unicast = 1,
    Local = 2,
    Broadcast = 3,
    Anycast = 4,
    Multicast = 5,
    Blackhole = 6,
    Unreachable = 7,
    Prohibit = 8,
}

/// <summary>Neighbour states (NUD_*).</summary>
[Flags]
public enum NeighbourState : ushort
{
    None = 0,
    Incomplete = 0x01,
    Reachable = 0x02,
    Stale = 0x04,
    Delay = 0x08,
    Probe = 0x10,
    Failed = 0x20,
    NoArp = 0x40,
    Permanent = 0x80,
}

/// <summary>Neighbour flags (NTF_*).</summary>
[Flags]
public enum NeighbourFlags : byte
{
    None = 0,
    Use = 0x01,
    Self = 0x02,
    Master = 0x04,
    Proxy = 0x08,
    ExternLearned = 0x10,
    Offloaded = 0x20,
    Sticky = 0x40,
    Router = 0x80,
}

/// <summary>Address flags (IFA_F_*).</summary>
[Flags]
public enum AddressFlags : uint
{
    None = 0,
    Secondary = 0x01,
    NoDad = 0x02,
    Optimistic = 0x04,
    DadFailed = 0x08,
    HomeAddress = 0x10,
    Deprecated = 0x20,
    Tentative = 0x40,
    Permanent = 0x80,
    ManageTempAddr = 0x100,
    NoPrefixRoute = 0x200,
}

/// <summary>How the kernel gives an interface its IPv6 link-local address (IN6_ADDR_GEN_MODE_*).</summary>
public enum IPv6AddressGeneration : byte
{
    Eui64 = 0,

    /// <summary>No link-local address at all, so none of the routes that come with one.</summary>
    None = 1,
    StableSecret = 2,
    Random = 3,
}
