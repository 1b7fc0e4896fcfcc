using Plexus.Kernel.Netlink;

namespace Plexus.Kernel.Rtnl.LinkKinds;

/// <summary>
/// An 802.1q VLAN sub-interface of a parent device (`ip link add link eth0 name eth0.20 type vlan id 20`):
/// frames it sends leave the parent tagged with <see cref="VlanId"/>, and tagged frames arriving on the
/// parent come out of it. Needs the kernel's 8021q driver.
/// </summary>
public sealed record VlanSpec : LinkSpec
{
    public const int MinId = 1, MaxId = 4094;

    public VlanSpec(string name, int parent, int vlanId) : base(name)
    {
        // 0 and 4095 are reserved by 802.1q (priority tags and "no VLAN").
        if (vlanId is < MinId or > MaxId) throw new ArgumentOutOfRangeException(nameof(vlanId), vlanId, $"VLAN id {vlanId} is not between {MinId} and {MaxId}");
        Parent = parent;
        VlanId = (ushort)vlanId;
    }

    public override string Kind => "vlan";

    public int Parent { get; }

    public ushort VlanId { get; }

    protected override int? ParentIndex => Parent;

    internal override bool WriteInfoData(NetlinkWriter writer)
    {
        writer.UInt16(Ifla.VlanId, VlanId);
        return true;
    }
}
