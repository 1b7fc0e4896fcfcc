using System.Buffers.Binary;
using Plexus.Kernel.Netlink;

namespace Plexus.Kernel.Tests.Unit.Support;

/// <summary>Builds request bytes the way <see cref="NetlinkConnection"/> does, with a fixed sequence number.</summary>
internal static class Requests
{
    public const uint Sequence = 1;

    /// <summary>NetlinkConnection.Execute: the caller's flags plus REQUEST and ACK.</summary>
    public static byte[] Execute(ushort type, NetlinkFlags flags, Action<NetlinkWriter> body) =>
        Build(type, flags | NetlinkFlags.Request | NetlinkFlags.Ack, body);

    public static byte[] Build(ushort type, NetlinkFlags flags, Action<NetlinkWriter> body)
    {
        var writer = new NetlinkWriter(64); // small on purpose: requests must survive the buffer growing
        writer.BeginMessage(type, flags);
        body(writer);
        writer.EndMessage(Sequence);
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>A captured message with its sequence number replaced, for byte-for-byte comparison.</summary>
    public static byte[] WithSequence(byte[] message, uint sequence = Sequence)
    {
        var copy = (byte[])message.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(8), sequence);
        return copy;
    }

    /// <summary>Compares bytes as an offset dump, so a failure shows where they part.</summary>
    public static void AssertBytes(byte[] expected, byte[] actual) =>
        Assert.Equal(Hex.Dump(expected), Hex.Dump(actual));
}
