using Plexus.Kernel.Netlink;

namespace Plexus.Kernel.Rtnl.LinkKinds;

public enum MacvlanMode : uint
{
    Private = 1,
    Vepa = 2,
    Bridge = 4,
    Passthru = 8,
    Source = 16,
}

/// <summary>A macvlan on top of a parent device.</summary>
public sealed record MacvlanSpec(string LinkName, int Parent, MacvlanMode Mode = MacvlanMode.Bridge) : LinkSpec(LinkName)
{
    public override string Kind => "macvlan";

    protected override int? ParentIndex => Parent;

    internal override bool WriteInfoData(NetlinkWriter writer)
    {
        writer.UInt32(Ifla.MacvlanMode, (uint)Mode);
        return true;
    }
}
