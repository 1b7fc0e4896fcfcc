using System.Buffers.Binary;

namespace Plexus.Kernel.Netlink;

/// <summary>struct nlmsghdr: the 16 bytes in front of every netlink message (host byte order).</summary>
public readonly record struct NetlinkHeader(uint Length, ushort Type, NetlinkFlags Flags, uint Sequence, uint PortId)
{
    public const int Size = 16;

    public static NetlinkHeader Read(ReadOnlySpan<byte> b) => new(
        BinaryPrimitives.ReadUInt32LittleEndian(b),
        BinaryPrimitives.ReadUInt16LittleEndian(b[4..]),
        (NetlinkFlags)BinaryPrimitives.ReadUInt16LittleEndian(b[6..]),
        BinaryPrimitives.ReadUInt32LittleEndian(b[8..]),
        BinaryPrimitives.ReadUInt32LittleEndian(b[12..]));

    public void Write(Span<byte> b)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(b, Length);
        BinaryPrimitives.WriteUInt16LittleEndian(b[4..], Type);
        BinaryPrimitives.WriteUInt16LittleEndian(b[6..], (ushort)Flags);
        BinaryPrimitives.WriteUInt32LittleEndian(b[8..], Sequence);
        BinaryPrimitives.WriteUInt32LittleEndian(b[12..], PortId);
    }
}

/// <summary>nlmsghdr flags. The 0x100-0x800 bits mean different things for GET, NEW and ACK messages.</summary>
[Flags]
public enum NetlinkFlags : ushort
{
    None = 0,
    Request = 0x1,
    Multi = 0x2,
    Ack = 0x4,
    Echo = 0x8,
    DumpInterrupted = 0x10,
    DumpFiltered = 0x20,
    // GET requests
    Root = 0x100,
    Match = 0x200,
    Atomic = 0x400,
    Dump = Root | Match,
    // NEW requests
    Replace = 0x100,
    Exclusive = 0x200,
    Create = 0x400,
    Append = 0x800,
    // ACK messages
    Capped = 0x100,
    AckTlvs = 0x200,
}

/// <summary>Control message types shared by every netlink family.</summary>
public static class NetlinkMessageType
{
    public const ushort Noop = 1;
    public const ushort Error = 2;
    public const ushort Done = 3;
    public const ushort Overrun = 4;
}
