using Plexus.Kernel.Netlink;

namespace Plexus.Kernel.Rtnl.LinkKinds;

/// <summary>IFLA_IPVLAN_MODE values (linux/if_link.h).</summary>
public enum IpvlanMode : ushort
{
    L2 = 0,
    L3 = 1,
    L3S = 2,
}

/// <summary>IFLA_IPVLAN_FLAGS values: how children of one parent reach each other.</summary>
public enum IpvlanFlags : ushort
{
    Bridge = 0,
    Private = 1,
    Vepa = 2,
}

/// <summary>
/// An ipvlan on top of a parent device: like a macvlan, but every child shares the parent's MAC address
/// and the kernel tells them apart by IP address. Needs the kernel's ipvlan driver.
/// </summary>
public sealed record IpvlanSpec(string LinkName, int Parent, IpvlanMode Mode = IpvlanMode.L2, IpvlanFlags Flags = IpvlanFlags.Bridge)
    : LinkSpec(LinkName)
{
    public override string Kind => "ipvlan";

    protected override int? ParentIndex => Parent;

    internal override bool WriteInfoData(NetlinkWriter writer)
    {
        writer.UInt16(Ifla.IpvlanMode, (ushort)Mode);
        writer.UInt16(Ifla.IpvlanFlags, (ushort)Flags);
        return true;
    }
}
