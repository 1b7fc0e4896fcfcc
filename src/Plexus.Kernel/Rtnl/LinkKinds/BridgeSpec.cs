using Plexus.Kernel.Netlink;

namespace Plexus.Kernel.Rtnl.LinkKinds;

/// <summary>A Linux bridge. Options left null take the kernel's defaults.</summary>
public sealed record BridgeSpec(string LinkName) : LinkSpec(LinkName)
{
    public override string Kind => "bridge";

    public bool? StpEnabled { get; init; }
    public bool? VlanFiltering { get; init; }
    public bool? MulticastSnooping { get; init; }

    /// <summary>Forward delay in hundredths of a second (kernel units).</summary>
    public uint? ForwardDelay { get; init; }

    /// <summary>FDB ageing time in hundredths of a second.</summary>
    public uint? AgeingTime { get; init; }

    internal override bool WriteInfoData(NetlinkWriter writer)
    {
        if (StpEnabled is null && VlanFiltering is null && MulticastSnooping is null && ForwardDelay is null && AgeingTime is null)
            return false;
        if (ForwardDelay is { } fd) writer.UInt32(Ifla.BrForwardDelay, fd);
        if (AgeingTime is { } at) writer.UInt32(Ifla.BrAgeingTime, at);
        if (StpEnabled is { } stp) writer.UInt32(Ifla.BrStpState, stp ? 1u : 0u);
        if (VlanFiltering is { } vf) writer.UInt8(Ifla.BrVlanFiltering, vf ? (byte)1 : (byte)0);
        if (MulticastSnooping is { } ms) writer.UInt8(Ifla.BrMcastSnooping, ms ? (byte)1 : (byte)0);
        return true;
    }
}
