using System.Buffers.Binary;
using System.Net;
using System.Text;
using Plexus.Kernel.Types;

namespace Plexus.Kernel.Netlink;

/// <summary>
/// Builds one request: header, family struct, attributes with nested scopes. Lengths are patched when a
/// scope closes, padding is zeroed, so the bytes are exactly what iproute2 would send. A writer is reused
/// across requests on one connection to avoid allocating per request.
/// </summary>
public sealed class NetlinkWriter
{
    private byte[] _buffer;
    private int _length;
    private int _messageStart = -1;

    public NetlinkWriter(int capacity = 1024) => _buffer = new byte[capacity];

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    public int Length => _length;

    public void Reset()
    {
        _length = 0;
        _messageStart = -1;
    }

    /// <summary>Starts a message; the sequence number and port are filled in by <see cref="EndMessage"/>.</summary>
    public void BeginMessage(ushort type, NetlinkFlags flags)
    {
        if (_messageStart >= 0) throw new InvalidOperationException("the previous message was not ended");
        _messageStart = _length;
        var span = Reserve(NetlinkHeader.Size);
        new NetlinkHeader(0, type, flags, 0, 0).Write(span);
    }

    /// <summary>Closes the message, writing its length and sequence number; returns the sequence number.</summary>
    public uint EndMessage(uint sequence)
    {
        if (_messageStart < 0) throw new InvalidOperationException("no message was begun");
        var span = _buffer.AsSpan(_messageStart);
        BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)(_length - _messageStart));
        BinaryPrimitives.WriteUInt32LittleEndian(span[8..], sequence);
        _messageStart = -1;
        return sequence;
    }

    /// <summary>Reserves zeroed, 4-byte aligned room for a family header and returns it to fill.</summary>
    public Span<byte> Reserve(int size)
    {
        int aligned = NetlinkAttributeReader.Align(size);
        Ensure(aligned);
        var span = _buffer.AsSpan(_length, aligned);
        span.Clear();
        _length += aligned;
        return span[..size];
    }

    public void Attribute(ushort type, ReadOnlySpan<byte> value)
    {
        if (value.Length > ushort.MaxValue - 4)
            throw new ArgumentException($"attribute {type} value of {value.Length} bytes is too long for netlink", nameof(value));
        var span = Reserve(4 + value.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)(4 + value.Length));
        BinaryPrimitives.WriteUInt16LittleEndian(span[2..], type);
        value.CopyTo(span[4..]);
    }

    public void Flag(ushort type) => Attribute(type, []);

    public void UInt8(ushort type, byte value) => Attribute(type, [value]);

    public void UInt16(ushort type, ushort value)
    {
        Span<byte> b = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(b, value);
        Attribute(type, b);
    }

    public void UInt16BigEndian(ushort type, ushort value)
    {
        Span<byte> b = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(b, value);
        Attribute(type, b);
    }

    public void UInt32(ushort type, uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        Attribute(type, b);
    }

    public void Int32(ushort type, int value) => UInt32(type, (uint)value);

    /// <summary>A NUL-terminated string, as the kernel expects for names and kinds.</summary>
    public void String(ushort type, string value)
    {
        int n = Encoding.UTF8.GetByteCount(value);
        Span<byte> b = n < 256 ? stackalloc byte[n + 1] : new byte[n + 1];
        Encoding.UTF8.GetBytes(value, b);
        b[n] = 0;
        Attribute(type, b);
    }

    public void Address(ushort type, IPAddress address)
    {
        Span<byte> b = stackalloc byte[16];
        address.TryWriteBytes(b, out int n);
        Attribute(type, b[..n]);
    }

    public void Mac(ushort type, MacAddress mac)
    {
        Span<byte> b = stackalloc byte[6];
        mac.CopyTo(b);
        Attribute(type, b);
    }

    /// <summary>Opens a nested attribute; pass the returned token to <see cref="EndNested"/>.</summary>
    public int BeginNested(ushort type, bool markNested = false)
    {
        int start = _length;
        var span = Reserve(4);
        BinaryPrimitives.WriteUInt16LittleEndian(span[2..], markNested ? (ushort)(type | NetlinkAttribute.NestedFlag) : type);
        return start;
    }

    /// <summary>Drops everything written from <paramref name="token"/> on (an empty nest not worth sending).</summary>
    public void Truncate(int token) => _length = token;

    /// <summary>
    /// Closes a nested attribute. Its length is 16 bits: a nest of more than 65535 bytes cannot be said, and the
    /// kernel would read a wrapped length as a different, malformed request (callers split long lists).
    /// </summary>
    public void EndNested(int token)
    {
        int length = _length - token;
        if (length > ushort.MaxValue)
            throw new InvalidOperationException($"a nested netlink attribute of {length} bytes is longer than netlink can say (65535)");
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(token), (ushort)length);
    }

    /// <summary>Adds <paramref name="flags"/> to the open message's header (an acknowledgement asked once its last part is known).</summary>
    public void AddFlags(NetlinkFlags flags)
    {
        if (_messageStart < 0) throw new InvalidOperationException("no message was begun");
        var span = _buffer.AsSpan(_messageStart + 6, 2);
        BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(span) | (ushort)flags));
    }

    private void Ensure(int extra)
    {
        if (_length + extra <= _buffer.Length) return;
        Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + extra));
    }
}
