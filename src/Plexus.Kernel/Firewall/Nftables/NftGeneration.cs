using Plexus.Kernel.Namespaces;
using Plexus.Kernel.Netlink;

namespace Plexus.Kernel.Firewall.Nftables;

/// <summary>
/// Reads nf_tables' generation: a counter the kernel raises by one for every committed batch, in one
/// namespace, whoever commits it (nft, libnftables, iptables-nft). Read before and after a batch of
/// Plexus's own, it tells Plexus's batches from everyone else's (see <see cref="FirewallBase"/>).
/// One netlink round trip, no process, no libnftables.
/// </summary>
internal sealed class NftGeneration : IDisposable
{
    private readonly NetlinkConnection _netlink;

    private NftGeneration(NetlinkConnection netlink) => _netlink = netlink;

    /// <summary>Opens the query socket inside <paramref name="ns"/> (null: the calling thread's namespace).</summary>
    public static NftGeneration Open(NetworkNamespace? ns) =>
        new(ns is null ? NetlinkConnection.Open(NftNetlink.Protocol) : ns.Run(() => NetlinkConnection.Open(NftNetlink.Protocol)));

    public uint Current() =>
        _netlink.Get<byte, uint>("read the nf_tables generation", NftNetlink.MessageType(NftNetlink.GetGen), 0,
            static (writer, _) => NftNetlink.WriteHeader(writer, 0), NftNetlink.DecodeGeneration, notFoundErrno: int.MinValue);

    public void Dispose() => _netlink.Dispose();
}
