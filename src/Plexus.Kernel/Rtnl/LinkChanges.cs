using Plexus.Kernel.Namespaces;
using Plexus.Kernel.Types;

namespace Plexus.Kernel.Rtnl;

/// <summary>Changes to an existing link, applied in one RTM_NEWLINK. Null members are left as they are.</summary>
public sealed record LinkChanges
{
    public bool? Up { get; init; }
    public int? Mtu { get; init; }
    public MacAddress? Mac { get; init; }
    public string? Name { get; init; }

    /// <summary>IFF_PROMISC (ip link set promisc on): the link takes every frame, not only those addressed to it.</summary>
    public bool? Promiscuous { get; init; }

    /// <summary>Index of the bridge to enslave to; 0 removes the link from its master.</summary>
    public int? MasterIndex { get; init; }

    /// <summary>Moves the link into this namespace.</summary>
    public NetworkNamespace? Namespace { get; init; }

    /// <summary>IFLA_IFALIAS; an empty string removes the alias.</summary>
    public string? Alias { get; init; }

    /// <summary>IFLA_GROUP: the interface group, which RTM_DELLINK can delete as a whole in one request.</summary>
    public uint? Group { get; init; }

    /// <summary>
    /// Kind-specific options (IFLA_LINKINFO) as a spec of the link's own kind gives them, e.g. a
    /// <see cref="LinkKinds.BridgeSpec"/> with only MulticastSnooping set; options left null there are left as
    /// they are. The spec's name and common members are not used.
    /// </summary>
    public LinkKinds.LinkSpec? KindOptions { get; init; }

    /// <summary>
    /// IFLA_INET6_ADDR_GEN_MODE: None gives the link no IPv6 link-local address, nor its routes. Unlike the
    /// disable_ipv6 sysctl, it is set over netlink: that sysctl takes the kernel's lock by trying and restarting
    /// the system call, which spins for as long as another thread holds the lock.
    /// </summary>
    public IPv6AddressGeneration? IPv6AddressGeneration { get; init; }
}

/// <summary>Bridge-port settings (IFLA_PROTINFO). Null members are left as they are.</summary>
public sealed record BridgePortSettings
{
    /// <summary>Hairpin mode: frames may leave by the port they came in on (a container reaching itself via NAT).</summary>
    public bool? Hairpin { get; init; }

    /// <summary>Isolated ports cannot talk to each other, only to non-isolated ports.</summary>
    public bool? Isolated { get; init; }

    public bool? Learning { get; init; }
    public bool? UnicastFlood { get; init; }
}
