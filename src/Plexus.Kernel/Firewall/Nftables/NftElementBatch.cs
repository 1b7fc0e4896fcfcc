using System.Text;
using Plexus.Kernel.Namespaces;
using Plexus.Kernel.Netlink;

namespace Plexus.Kernel.Firewall.Nftables;

/// <summary>
/// Adds and deletes set elements over raw nf_tables netlink, in one batch (one kernel transaction, like a
/// libnftables run). A join's anti-spoofing elements are the hot path: libnftables would parse a script, fetch its
/// cache from the kernel and hop to the namespace's thread to build this same batch. The socket is opened in the
/// firewall's namespace once and used from the committing thread. The kernel handles a batch inside sendmsg, so
/// every acknowledgement is queued when the send returns; they are read without waiting.
/// </summary>
internal sealed class NftElementBatch : IDisposable
{
    private const ushort AttrListTable = 1;
    private const ushort AttrListSet = 2;
    private const ushort AttrListElements = 3;
    private const ushort AttrListElem = 1;
    private const ushort AttrElemKey = 1;
    private const ushort AttrElemData = 2;
    private const ushort AttrElemUserData = 6;
    private const ushort AttrDataValue = 1;
    /// <summary>NFTNL_UDATA_SET_ELEM_COMMENT: how nft stores an element's comment in its user data.</summary>
    private const byte UserDataComment = 0;

    /// <summary>
    /// Elements per message stop once their list passes this many bytes: the list is one netlink attribute, whose
    /// length is 16 bits. At 1000 published ports one list was 70 KB, the length wrapped, the kernel refused the batch
    /// (ENOENT) and every such sandbox paid for a full re-apply of the ruleset. nft splits long lists the same way.
    /// </summary>
    internal const int MaxListBytes = 32 * 1024;

    private readonly NetlinkSocket _socket;
    private readonly NetlinkWriter _writer = new(4096);
    private readonly byte[] _buffer = new byte[16 * 1024];
    private readonly Lock _lock = new();
    private uint _sequence = (uint)Environment.TickCount;

    private NftElementBatch(NetlinkSocket socket) => _socket = socket;

    /// <summary>The socket's netlink port id: the kernel names it in the NEWGEN of every batch sent on it.</summary>
    public uint PortId => _socket.PortId;

    public static NftElementBatch Open(NetworkNamespace? ns) =>
        new(ns is null ? NetlinkSocket.Open(NftNetlink.Protocol) : ns.Run(() => NetlinkSocket.Open(NftNetlink.Protocol)));

    /// <summary>Applies the changes in the given order as one batch; throws <see cref="FirewallException"/> and changes nothing if the kernel refuses any.</summary>
    public void Apply(IReadOnlyList<NftElementChange> changes, string what)
    {
        if (changes.Count == 0) return;
        lock (_lock)
        {
            _writer.Reset();
            NftNetlink.WriteBatchBoundary(_writer, NftNetlink.BatchBegin, ++_sequence);
            // Consecutive changes of one kind to one set go in one message, as nft sends them, up to MaxListBytes.
            for (int i = 0; i < changes.Count;)
            {
                var first = changes[i];
                int j = i;
                while (j < changes.Count && changes[j].Add == first.Add && changes[j].Family == first.Family
                    && changes[j].Table == first.Table && changes[j].Set == first.Set) j++;
                while (i < j) i = WriteMessage(changes, i, j);
            }
            NftNetlink.WriteBatchBoundary(_writer, NftNetlink.BatchEnd, ++_sequence);
            NftNetlink.SendBatch(_socket, _writer.WrittenSpan, _buffer, what);
        }
    }

    /// <summary>
    /// One message of changes[i..j) (one kind, one set): as many as fit <see cref="MaxListBytes"/>; returns where the
    /// next message starts. Only the batch's last message asks for an acknowledgement: the kernel answers a refused
    /// message whether asked or not, and each acknowledgement is one more read (a join's batch has three messages).
    /// </summary>
    private int WriteMessage(IReadOnlyList<NftElementChange> changes, int i, int j)
    {
        var first = changes[i];
        _writer.BeginMessage(NftNetlink.MessageType(first.Add ? NftNetlink.NewSetElem : NftNetlink.DelSetElem),
            NetlinkFlags.Request | (first.Add ? NetlinkFlags.Create : NetlinkFlags.None));
        NftNetlink.WriteHeader(_writer, first.Family);
        _writer.String(AttrListTable, first.Table);
        _writer.String(AttrListSet, first.Set);
        int list = _writer.BeginNested(AttrListElements, markNested: true);
        do WriteElement(changes[i++]);
        while (i < j && _writer.Length - list < MaxListBytes);
        _writer.EndNested(list);
        if (i == changes.Count) _writer.AddFlags(NetlinkFlags.Ack);
        _writer.EndMessage(++_sequence);
        return i;
    }

    private void WriteElement(in NftElementChange change)
    {
        int element = _writer.BeginNested(AttrListElem, markNested: true);
        int key = _writer.BeginNested(AttrElemKey, markNested: true);
        _writer.Attribute(AttrDataValue, change.Key);
        _writer.EndNested(key);
        if (change.Add && change.Data is { } value)
        {
            int data = _writer.BeginNested(AttrElemData, markNested: true);
            _writer.Attribute(AttrDataValue, value);
            _writer.EndNested(data);
        }
        if (change.Add && change.Comment is { } comment)
        {
            int n = Encoding.UTF8.GetByteCount(comment);
            Span<byte> userData = stackalloc byte[n + 3];
            userData[0] = UserDataComment;
            userData[1] = (byte)(n + 1);
            Encoding.UTF8.GetBytes(comment, userData[2..]);
            userData[^1] = 0;
            _writer.Attribute(AttrElemUserData, userData);
        }
        _writer.EndNested(element);
    }

    public void Dispose() => _socket.Dispose();
}
