using System.Buffers.Binary;
using Plexus.Kernel.Netlink;

namespace Plexus.Kernel.Tests.Unit.Support;

/// <summary>Runs a decoder over every message of a datagram, as NetlinkConnection.Dump does.</summary>
internal static class Replies
{
    public static List<T> DecodeAll<T>(byte[] datagram, NetlinkDecode<T> decode)
    {
        var results = new List<T>();
        foreach (var message in new NetlinkMessageReader(datagram))
        {
            if (decode(message, out var value)) results.Add(value);
        }
        return results;
    }

    /// <summary>Decodes a datagram holding exactly one message; null when the decoder skips it.</summary>
    public static T? DecodeOne<T>(byte[] datagram, NetlinkDecode<T> decode) where T : class
    {
        var reader = new NetlinkMessageReader(datagram);
        Assert.True(reader.MoveNext(), "no message in the datagram");
        var message = reader.Current;
        Assert.Equal((uint)datagram.Length, message.Header.Length);
        return decode(message, out var value) ? value : null;
    }

    /// <summary>A hand-written message (hex with comments); nlmsg_len is filled in from the bytes.</summary>
    public static byte[] Message(string hex)
    {
        var bytes = Hex.Parse(hex);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, (uint)bytes.Length);
        return bytes;
    }

    /// <summary>Message types in a datagram, in order.</summary>
    public static List<ushort> Types(byte[] datagram)
    {
        var types = new List<ushort>();
        foreach (var message in new NetlinkMessageReader(datagram)) types.Add(message.Header.Type);
        return types;
    }
}
