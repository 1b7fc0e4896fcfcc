using System.Buffers.Binary;
using System.Net;

namespace Plexus.Kernel.Sockets;

/// <summary>An IPv4 peer as the kernel gives it (a sockaddr_in), small enough to copy with each datagram.</summary>
public readonly struct DatagramPeer
{
    internal const int Length = 16;

    private readonly ulong _low, _high;

    internal DatagramPeer(ReadOnlySpan<byte> sockaddr)
    {
        _low = BinaryPrimitives.ReadUInt64LittleEndian(sockaddr);
        _high = BinaryPrimitives.ReadUInt64LittleEndian(sockaddr[8..]);
    }

    /// <summary>Writes the sockaddr_in back out.</summary>
    internal void CopyTo(Span<byte> sockaddr)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(sockaddr, _low);
        BinaryPrimitives.WriteUInt64LittleEndian(sockaddr[8..], _high);
    }

    public IPEndPoint EndPoint
    {
        get
        {
            Span<byte> b = stackalloc byte[Length];
            CopyTo(b);
            return new IPEndPoint(new IPAddress(b.Slice(4, 4)), BinaryPrimitives.ReadUInt16BigEndian(b[2..]));
        }
    }

    public override string ToString() => EndPoint.ToString();

    /// <summary>A sockaddr_in for <paramref name="endpoint"/>.</summary>
    internal static void Write(Span<byte> sockaddr, IPEndPoint endpoint)
    {
        sockaddr[..Length].Clear();
        BinaryPrimitives.WriteUInt16LittleEndian(sockaddr, 2); // AF_INET, in host order
        BinaryPrimitives.WriteUInt16BigEndian(sockaddr[2..], (ushort)endpoint.Port);
        endpoint.Address.TryWriteBytes(sockaddr[4..], out _);
    }
}
