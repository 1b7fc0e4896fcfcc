using Plexus.Kernel.Types;

namespace Plexus.Kernel.Rtnl;

/// <summary>A network interface as the kernel reports it (RTM_NEWLINK).</summary>
public sealed record Link
{
    public required int Index { get; init; }
    public required string Name { get; init; }

    /// <summary>IFLA_INFO_KIND: "bridge", "veth", "vxlan"... or null for physical and loopback devices.</summary>
    public string? Kind { get; init; }

    public InterfaceFlags Flags { get; init; }
    public int Mtu { get; init; }
    public MacAddress? Mac { get; init; }

    /// <summary>The bridge (or bond) this link is a port of.</summary>
    public int? MasterIndex { get; init; }

    /// <summary>IFLA_LINK: the peer of a veth or the parent of a macvlan/vlan (an index in <see cref="LinkNetNsId"/>'s namespace if set).</summary>
    public int? ParentIndex { get; init; }

    /// <summary>Namespace id (as seen from this namespace) where <see cref="ParentIndex"/> lives.</summary>
    public int? LinkNetNsId { get; init; }

    /// <summary>"bridge" when this link is a bridge port.</summary>
    public string? SlaveKind { get; init; }

    public byte OperState { get; init; }

    /// <summary>IFLA_IFALIAS: a free-text label (`ip link set NAME alias TEXT`); Plexus marks the links it owns with it.</summary>
    public string? Alias { get; init; }

    /// <summary>IFLA_GROUP: the interface group (0, the default group, unless someone set one).</summary>
    public uint Group { get; init; }

    public bool IsUp => (Flags & InterfaceFlags.Up) != 0;
}
