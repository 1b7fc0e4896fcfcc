namespace Plexus.Kernel.Netlink;

/// <summary>One received message: header and payload (the bytes after the header).</summary>
public readonly ref struct NetlinkMessage
{
    public NetlinkMessage(NetlinkHeader header, ReadOnlySpan<byte> payload)
    {
        Header = header;
        Payload = payload;
    }

    public NetlinkHeader Header { get; }

    public ReadOnlySpan<byte> Payload { get; }

    /// <summary>The attributes after a fixed-size family header (ifinfomsg, rtmsg...).</summary>
    public NetlinkAttributeReader Attributes(int familyHeaderSize)
    {
        if (Payload.Length < familyHeaderSize)
            throw new NetlinkParseException($"message type {Header.Type} has a {Payload.Length}-byte payload, shorter than its {familyHeaderSize}-byte header");
        return new NetlinkAttributeReader(Payload[familyHeaderSize..]);
    }
}

/// <summary>Walks the messages in one received datagram, checking every length.</summary>
public ref struct NetlinkMessageReader
{
    private ReadOnlySpan<byte> _rest;

    public NetlinkMessageReader(ReadOnlySpan<byte> datagram)
    {
        _rest = datagram;
        Current = default;
    }

    public NetlinkMessage Current { get; private set; }

    public readonly NetlinkMessageReader GetEnumerator() => this;

    public bool MoveNext()
    {
        if (_rest.IsEmpty) return false;
        if (_rest.Length < NetlinkHeader.Size)
            throw new NetlinkParseException($"{_rest.Length} bytes left, too few for a 16-byte message header");
        var header = NetlinkHeader.Read(_rest);
        if (header.Length < NetlinkHeader.Size || header.Length > _rest.Length)
            throw new NetlinkParseException($"message type {header.Type} claims length {header.Length} with {_rest.Length} bytes available");
        Current = new NetlinkMessage(header, _rest[NetlinkHeader.Size..(int)header.Length]);
        int aligned = NetlinkAttributeReader.Align((int)header.Length);
        _rest = aligned >= _rest.Length ? default : _rest[aligned..];
        return true;
    }
}
