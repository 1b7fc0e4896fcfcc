using System.Net;
using Plexus.Kernel.Netlink;

namespace Plexus.Kernel.Rtnl.LinkKinds;

/// <summary>A VXLAN device (the overlay's tunnel end).</summary>
public sealed record VxlanSpec : LinkSpec
{
    public VxlanSpec(string name, uint vni) : base(name)
    {
        if (vni > 0xFFFFFF) throw new ArgumentOutOfRangeException(nameof(vni), vni, $"VXLAN id {vni} does not fit in 24 bits");
        Vni = vni;
    }

    public override string Kind => "vxlan";

    public uint Vni { get; }
    public IPAddress? Local { get; init; }
    public IPAddress? Group { get; init; }

    /// <summary>UDP destination port; the kernel's default is 8472, the IANA port 4789.</summary>
    public ushort? Port { get; init; }

    public bool? Learning { get; init; }

    /// <summary>
    /// ARP suppression (IFLA_VXLAN_PROXY): the device answers ARP requests for addresses in its own neighbour
    /// table instead of sending them across the tunnel, so an overlay with static entries needs no flooding.
    /// </summary>
    public bool? Proxy { get; init; }

    /// <summary>Underlay device index.</summary>
    public int? Underlay { get; init; }

    internal override bool WriteInfoData(NetlinkWriter writer)
    {
        writer.UInt32(Ifla.VxlanId, Vni);
        if (Local is { } local)
            writer.Address(local.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? Ifla.VxlanLocal : Ifla.VxlanLocal6, local);
        if (Group is { } group)
            writer.Address(group.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? Ifla.VxlanGroup : Ifla.VxlanGroup6, group);
        if (Underlay is { } link) writer.UInt32(Ifla.VxlanLink, (uint)link);
        if (Port is { } port) writer.UInt16BigEndian(Ifla.VxlanPort, port);
        if (Learning is { } learning) writer.UInt8(Ifla.VxlanLearning, learning ? (byte)1 : (byte)0);
        if (Proxy is { } proxy) writer.UInt8(Ifla.VxlanProxy, proxy ? (byte)1 : (byte)0);
        return true;
    }
}
