using Plexus.Kernel.Namespaces;
using Plexus.Kernel.Netlink;
using Plexus.Kernel.Types;

namespace Plexus.Kernel.Rtnl.LinkKinds;

/// <summary>
/// A veth pair. The peer can be created straight inside another namespace under its final name
/// (eth0), so no move or rename is needed afterwards.
/// </summary>
public sealed record VethSpec : LinkSpec
{
    public VethSpec(string name, string peerName) : base(name) => PeerName = InterfaceName.Validate(peerName);

    public override string Kind => "veth";

    public string PeerName { get; }
    public NetworkNamespace? PeerNamespace { get; init; }
    public MacAddress? PeerMac { get; init; }

    /// <summary>The peer's MTU; defaults to <see cref="LinkSpec.Mtu"/>.</summary>
    public int? PeerMtu { get; init; }

    internal override bool WriteInfoData(NetlinkWriter writer)
    {
        int peer = writer.BeginNested(Ifla.VethInfoPeer);
        // The peer cannot be brought up here: the kernel configures it before the pair is linked, and
        // opening a veth without a peer fails (ENOTCONN). It is brought up inside its namespace afterwards.
        LinkRequests.WriteIfInfo(writer, 0, InterfaceFlags.None, InterfaceFlags.None);
        writer.String(Ifla.IfName, PeerName);
        if ((PeerMtu ?? Mtu) is { } mtu) writer.UInt32(Ifla.Mtu, (uint)mtu);
        if (PeerMac is { } mac) writer.Mac(Ifla.Address, mac);
        WriteQueues(writer, Queues); // the peer as its pair: the kernel would otherwise cut its queues down too
        if (PeerNamespace is { } ns) writer.UInt32(Ifla.NetNsFd, (uint)ns.Descriptor);
        writer.EndNested(peer);
        return true;
    }

    public override string Description => $"veth pair '{Name}'/'{PeerName}'";
}
