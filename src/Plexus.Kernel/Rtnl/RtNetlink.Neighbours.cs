using System.Buffers.Binary;
using Plexus.Kernel.Interop;
using Plexus.Kernel.Netlink;
using Plexus.Kernel.Types;

namespace Plexus.Kernel.Rtnl;

public sealed partial class RtNetlink
{
    private const int NdMsgSize = 12;

    /// <summary>Adds a neighbour or FDB entry. <paramref name="replace"/> overwrites one that exists;
    /// <paramref name="append"/> adds another destination for the same MAC (VXLAN flooding lists).</summary>
    public void AddNeighbour(Neighbour neighbour, bool replace = false, bool append = false)
    {
        ArgumentNullException.ThrowIfNull(neighbour);
        var flags = NetlinkFlags.Create | (replace ? NetlinkFlags.Replace : append ? NetlinkFlags.Append : NetlinkFlags.Exclusive);
        ChangeNeighbour(neighbour, RtmType.NewNeigh, flags, "add");
    }

    public void DeleteNeighbour(Neighbour neighbour)
    {
        ArgumentNullException.ThrowIfNull(neighbour);
        ChangeNeighbour(neighbour, RtmType.DelNeigh, NetlinkFlags.None, "delete");
    }

    /// <summary>Lists neighbours of a family, optionally of one link.</summary>
    public List<Neighbour> ListNeighbours(NeighbourFamily family, int? index = null)
    {
        var all = Connection.Dump("list neighbours", RtmType.GetNeigh, (byte)family,
            static (w, f) => w.Reserve(NdMsgSize)[0] = f,
            (NetlinkDecode<Neighbour>)TryDecodeNeighbour);
        return index is null ? all : all.FindAll(n => n.Index == index);
    }

    private void ChangeNeighbour(Neighbour n, ushort type, NetlinkFlags flags, string verb)
    {
        try
        {
            Connection.Execute($"{verb} {n}", type, flags, n, WriteNeighbour);
        }
        catch (NetlinkException e)
        {
            throw Explain(e, $"{verb} {n} on {Describe(n.Index)}", errno => errno switch
            {
                Errno.EEXIST => "the entry already exists",
                Errno.ENOENT => "no such entry",
                _ => NoHint(errno),
            });
        }
    }

    internal static void WriteNeighbour(NetlinkWriter w, Neighbour n)
    {
        var span = w.Reserve(NdMsgSize);
        span[0] = (byte)n.Family;
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], n.Index);
        BinaryPrimitives.WriteUInt16LittleEndian(span[8..], (ushort)n.State);
        span[10] = (byte)n.Flags;
        if (n.Destination is { } dst) w.Address(Nda.Dst, dst);
        if (n.Mac is { } mac) w.Mac(Nda.LinkLayerAddress, mac);
        if (n.Vlan is { } vlan) w.UInt16(Nda.Vlan, vlan);
        if (n.Vni is { } vni) w.UInt32(Nda.Vni, vni);
        if (n.MasterIndex is { } master) w.UInt32(Nda.Master, (uint)master);
    }

    internal static bool TryDecodeNeighbour(NetlinkMessage message, out Neighbour neighbour)
    {
        neighbour = null!;
        if (message.Header.Type != RtmType.NewNeigh) return false;
        var p = message.Payload;
        if (p.Length < NdMsgSize)
            throw new NetlinkParseException($"a neighbour message of {p.Length} bytes is shorter than struct ndmsg");
        var family = (NeighbourFamily)p[0];
        int index = BinaryPrimitives.ReadInt32LittleEndian(p[4..]);
        var state = (NeighbourState)BinaryPrimitives.ReadUInt16LittleEndian(p[8..]);
        var flags = (NeighbourFlags)p[10];
        System.Net.IPAddress? dst = null;
        MacAddress? mac = null;
        uint? vni = null;
        int? master = null;
        ushort? vlan = null;
        foreach (var a in message.Attributes(NdMsgSize))
        {
            switch (a.Type)
            {
                case Nda.Dst: dst = a.AsAddress(); break;
                case Nda.LinkLayerAddress when a.Value.Length == 6: mac = new MacAddress(a.Value); break;
                case Nda.Vni: vni = a.AsUInt32(); break;
                case Nda.Master: master = a.AsInt32(); break;
                case Nda.Vlan: vlan = a.AsUInt16(); break;
            }
        }
        neighbour = new Neighbour
        {
            Family = family, Index = index, Destination = dst, Mac = mac, State = state, Flags = flags,
            Vni = vni, MasterIndex = master, Vlan = vlan,
        };
        return true;
    }
}
