using System.Buffers.Binary;

namespace Plexus.Kernel.Netlink;

/// <summary>
/// Walks a run of attributes. Every length is checked against what remains, so random or truncated
/// input ends in <see cref="NetlinkParseException"/>, never an out-of-bounds read or an endless loop
/// (each step consumes at least the 4-byte header).
/// </summary>
public ref struct NetlinkAttributeReader
{
    private ReadOnlySpan<byte> _rest;

    public NetlinkAttributeReader(ReadOnlySpan<byte> attributes)
    {
        _rest = attributes;
        Current = default;
    }

    public NetlinkAttribute Current { get; private set; }

    public readonly NetlinkAttributeReader GetEnumerator() => this;

    public bool MoveNext()
    {
        // Trailing bytes shorter than a header are padding the kernel may leave; anything else is an error.
        if (_rest.Length < 4)
        {
            if (_rest.IndexOfAnyExcept((byte)0) >= 0)
                throw new NetlinkParseException($"{_rest.Length} stray bytes after the last attribute");
            return false;
        }
        int length = BinaryPrimitives.ReadUInt16LittleEndian(_rest);
        ushort type = BinaryPrimitives.ReadUInt16LittleEndian(_rest[2..]);
        if (length < 4)
            throw new NetlinkParseException($"attribute {type & NetlinkAttribute.TypeMask} has length {length}, below the 4-byte header");
        if (length > _rest.Length)
            throw new NetlinkParseException($"attribute {type & NetlinkAttribute.TypeMask} has length {length} but only {_rest.Length} bytes remain");
        Current = new NetlinkAttribute(type, _rest[4..length]);
        int aligned = Align(length);
        _rest = aligned >= _rest.Length ? default : _rest[aligned..];
        return true;
    }

    internal static int Align(int length) => (length + 3) & ~3;
}
