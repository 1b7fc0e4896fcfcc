using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Plexus.Kernel.Netlink;

/// <summary>One attribute (struct nlattr) as a view over received bytes.</summary>
public readonly ref struct NetlinkAttribute
{
    public const ushort NestedFlag = 0x8000;
    public const ushort NetByteOrderFlag = 0x4000;
    public const ushort TypeMask = 0x3FFF;

    public NetlinkAttribute(ushort rawType, ReadOnlySpan<byte> value)
    {
        RawType = rawType;
        Value = value;
    }

    public ushort RawType { get; }

    /// <summary>The type without the nested and byte-order flags.</summary>
    public ushort Type => (ushort)(RawType & TypeMask);

    public ReadOnlySpan<byte> Value { get; }

    public byte AsByte() => Value.Length >= 1 ? Value[0] : throw Short(1);

    public ushort AsUInt16() => Value.Length >= 2 ? BinaryPrimitives.ReadUInt16LittleEndian(Value) : throw Short(2);

    public ushort AsUInt16BigEndian() => Value.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(Value) : throw Short(2);

    public uint AsUInt32() => Value.Length >= 4 ? BinaryPrimitives.ReadUInt32LittleEndian(Value) : throw Short(4);

    public uint AsUInt32BigEndian() => Value.Length >= 4 ? BinaryPrimitives.ReadUInt32BigEndian(Value) : throw Short(4);

    public int AsInt32() => (int)AsUInt32();

    public ulong AsUInt64() => Value.Length >= 8 ? BinaryPrimitives.ReadUInt64LittleEndian(Value) : throw Short(8);

    /// <summary>A NUL-terminated string (the terminator is optional on input).</summary>
    public string AsString()
    {
        var v = Value;
        int nul = v.IndexOf((byte)0);
        return Encoding.UTF8.GetString(nul >= 0 ? v[..nul] : v);
    }

    public IPAddress AsAddress() => Value.Length switch
    {
        4 or 16 => new IPAddress(Value),
        _ => throw new NetlinkParseException($"attribute {Type} holds {Value.Length} bytes, not an IPv4 (4) or IPv6 (16) address"),
    };

    public NetlinkAttributeReader Nested() => new(Value);

    private NetlinkParseException Short(int need) =>
        new($"attribute {Type} holds {Value.Length} bytes, needs {need}");
}
