using System.Buffers.Binary;
using Plexus.Kernel.Netlink;
using Plexus.Kernel.Rtnl.LinkKinds;
using Plexus.Kernel.Types;

namespace Plexus.Kernel.Rtnl;

/// <summary>Encoding and decoding of link messages (struct ifinfomsg + IFLA_* attributes).</summary>
internal static class LinkRequests
{
    public const int IfInfoSize = 16;

    public static void WriteIfInfo(NetlinkWriter writer, int index, InterfaceFlags flags, InterfaceFlags change, byte family = AddressFamily.Unspec)
    {
        var span = writer.Reserve(IfInfoSize);
        span[0] = family;
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], index);
        BinaryPrimitives.WriteUInt32LittleEndian(span[8..], (uint)flags);
        BinaryPrimitives.WriteUInt32LittleEndian(span[12..], (uint)change);
    }

    public static void WriteCreate(NetlinkWriter writer, LinkSpec spec)
    {
        var up = spec.Up ? InterfaceFlags.Up : InterfaceFlags.None;
        WriteIfInfo(writer, 0, up, up);
        spec.WriteCommon(writer);
        WriteLinkInfo(writer, spec);
    }

    /// <summary>IFLA_LINKINFO: the spec's kind and its kind-specific options (none written when it sets none).</summary>
    private static void WriteLinkInfo(NetlinkWriter writer, LinkSpec spec)
    {
        int info = writer.BeginNested(Ifla.LinkInfo);
        writer.String(Ifla.InfoKind, spec.Kind);
        int data = writer.BeginNested(Ifla.InfoData);
        if (spec.WriteInfoData(writer)) writer.EndNested(data);
        else writer.Truncate(data);
        writer.EndNested(info);
    }

    public static void WriteChanges(NetlinkWriter writer, int index, LinkChanges changes)
    {
        var flags = changes.Up == true ? InterfaceFlags.Up : InterfaceFlags.None;
        var change = changes.Up is null ? InterfaceFlags.None : InterfaceFlags.Up;
        if (changes.Promiscuous is { } promiscuous)
        {
            change |= InterfaceFlags.Promiscuous;
            if (promiscuous) flags |= InterfaceFlags.Promiscuous;
        }
        WriteIfInfo(writer, index, flags, change);
        if (changes.Name is { } name) writer.String(Ifla.IfName, InterfaceName.Validate(name));
        if (changes.Mtu is { } mtu) writer.UInt32(Ifla.Mtu, (uint)mtu);
        if (changes.Mac is { } mac) writer.Mac(Ifla.Address, mac);
        if (changes.MasterIndex is { } master) writer.UInt32(Ifla.Master, (uint)master);
        if (changes.Namespace is { } ns) writer.UInt32(Ifla.NetNsFd, (uint)ns.Descriptor);
        if (changes.Alias is { } alias) writer.String(Ifla.IfAlias, alias);
        if (changes.Group is { } group) writer.UInt32(Ifla.Group, group);
        if (changes.KindOptions is { } kind) WriteLinkInfo(writer, kind);
        if (changes.IPv6AddressGeneration is { } mode)
        {
            int spec = writer.BeginNested(Ifla.AfSpec, markNested: true);
            int inet6 = writer.BeginNested(AddressFamily.Inet6, markNested: true);
            writer.UInt8(Ifla.Inet6AddrGenMode, (byte)mode);
            writer.EndNested(inet6);
            writer.EndNested(spec);
        }
    }

    public static void WriteBridgePort(NetlinkWriter writer, int index, BridgePortSettings settings)
    {
        WriteIfInfo(writer, index, InterfaceFlags.None, InterfaceFlags.None, AddressFamily.Bridge);
        int protinfo = writer.BeginNested(Ifla.ProtInfo, markNested: true);
        if (settings.Hairpin is { } hairpin) writer.UInt8(Ifla.BrportMode, hairpin ? (byte)1 : (byte)0);
        if (settings.Learning is { } learning) writer.UInt8(Ifla.BrportLearning, learning ? (byte)1 : (byte)0);
        if (settings.UnicastFlood is { } flood) writer.UInt8(Ifla.BrportUnicastFlood, flood ? (byte)1 : (byte)0);
        if (settings.Isolated is { } isolated) writer.UInt8(Ifla.BrportIsolated, isolated ? (byte)1 : (byte)0);
        writer.EndNested(protinfo);
    }

    public static bool TryDecode(NetlinkMessage message, out Link link)
    {
        link = null!;
        if (message.Header.Type != RtmType.NewLink) return false;
        var p = message.Payload;
        if (p.Length < IfInfoSize)
            throw new NetlinkParseException($"a link message of {p.Length} bytes is shorter than struct ifinfomsg");
        int index = BinaryPrimitives.ReadInt32LittleEndian(p[4..]);
        var flags = (InterfaceFlags)BinaryPrimitives.ReadUInt32LittleEndian(p[8..]);
        string? name = null, kind = null, slaveKind = null, alias = null;
        int mtu = 0;
        int? master = null, parent = null, netnsid = null;
        MacAddress? mac = null;
        byte oper = 0;
        uint group = 0;
        foreach (var a in message.Attributes(IfInfoSize))
        {
            switch (a.Type)
            {
                case Ifla.IfName: name = a.AsString(); break;
                case Ifla.Mtu: mtu = a.AsInt32(); break;
                case Ifla.Address when a.Value.Length == 6: mac = new MacAddress(a.Value); break;
                case Ifla.Master: master = a.AsInt32(); break;
                case Ifla.Link: parent = a.AsInt32(); break;
                case Ifla.LinkNetNsId: netnsid = a.AsInt32(); break;
                case Ifla.OperState: oper = a.AsByte(); break;
                case Ifla.IfAlias: alias = a.AsString(); break;
                case Ifla.Group: group = a.AsUInt32(); break;
                case Ifla.LinkInfo:
                    foreach (var info in a.Nested())
                    {
                        if (info.Type == Ifla.InfoKind) kind = info.AsString();
                        else if (info.Type == Ifla.InfoSlaveKind) slaveKind = info.AsString();
                    }
                    break;
            }
        }
        link = new Link
        {
            Index = index,
            Name = name ?? throw new NetlinkParseException($"link {index} has no IFLA_IFNAME"),
            Kind = kind,
            Flags = flags,
            Mtu = mtu,
            Mac = mac,
            MasterIndex = master,
            ParentIndex = parent,
            LinkNetNsId = netnsid,
            SlaveKind = slaveKind,
            OperState = oper,
            Alias = alias,
            Group = group,
        };
        return true;
    }
}
