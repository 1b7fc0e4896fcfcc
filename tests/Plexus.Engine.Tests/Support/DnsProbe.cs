using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Plexus.Kernel.Namespaces;

namespace Plexus.Engine.Tests.Support;

/// <summary>A DNS client for tests: asks 127.0.0.11 from inside a namespace, over UDP or TCP, and reads the answer.</summary>
public static class DnsProbe
{
    public sealed record Answer(int Rcode, bool Truncated, IReadOnlyList<IPAddress> Addresses, int AnswerCount, ushort Id);

    public static byte[] Query(string name, ushort type, ushort id = 0x1234, bool edns = false)
    {
        var b = new List<byte> { (byte)(id >> 8), (byte)id, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, (byte)(edns ? 1 : 0) };
        foreach (var label in name.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            b.Add((byte)label.Length);
            b.AddRange(Encoding.ASCII.GetBytes(label));
        }
        b.AddRange([0, (byte)(type >> 8), (byte)type, 0, 1]);
        if (edns) b.AddRange([0, 0, 41, 0x10, 0x00, 0, 0, 0, 0, 0, 0]);
        return [.. b];
    }

    /// <summary>Sends raw bytes over UDP from inside <paramref name="ns"/>; the reply's bytes, or null after the timeout.</summary>
    public static byte[]? ExchangeUdp(NetworkNamespace ns, byte[] packet, int timeoutMs = 3000)
    {
        using var s = ns.Run(() => new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp));
        s.ReceiveTimeout = timeoutMs;
        s.SendTo(packet, new IPEndPoint(IPAddress.Parse("127.0.0.11"), 53));
        var buffer = new byte[65535];
        try
        {
            int n = s.Receive(buffer);
            return buffer[..n];
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
        {
            return null;
        }
    }

    public static byte[]? ExchangeTcp(NetworkNamespace ns, byte[] packet, int timeoutMs = 5000)
    {
        using var s = ns.Run(() => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
        s.ReceiveTimeout = timeoutMs;
        s.Connect(new IPEndPoint(IPAddress.Parse("127.0.0.11"), 53));
        var framed = new byte[packet.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)packet.Length);
        packet.CopyTo(framed, 2);
        s.Send(framed);
        var prefix = ReadExactly(s, 2);
        return prefix is null ? null : ReadExactly(s, BinaryPrimitives.ReadUInt16BigEndian(prefix));
    }

    public static Answer Ask(NetworkNamespace ns, string name, ushort type = 1, bool tcp = false, bool edns = false)
    {
        var q = Query(name, type, edns: edns);
        var reply = (tcp ? ExchangeTcp(ns, q) : ExchangeUdp(ns, q)) ?? throw new TimeoutException($"no answer for {name}");
        return Parse(reply);
    }

    public static Answer Parse(byte[] reply)
    {
        ushort id = BinaryPrimitives.ReadUInt16BigEndian(reply);
        int rcode = reply[3] & 0xF;
        bool tc = (reply[2] & 0x02) != 0;
        int qd = BinaryPrimitives.ReadUInt16BigEndian(reply.AsSpan(4));
        int an = BinaryPrimitives.ReadUInt16BigEndian(reply.AsSpan(6));
        int o = 12;
        for (int i = 0; i < qd; i++)
        {
            o = SkipName(reply, o) + 4;
        }
        var addresses = new List<IPAddress>();
        for (int i = 0; i < an; i++)
        {
            o = SkipName(reply, o);
            ushort type = BinaryPrimitives.ReadUInt16BigEndian(reply.AsSpan(o));
            int rdLength = BinaryPrimitives.ReadUInt16BigEndian(reply.AsSpan(o + 8));
            o += 10;
            if (type is 1 or 28) addresses.Add(new IPAddress(reply.AsSpan(o, rdLength)));
            o += rdLength;
        }
        return new Answer(rcode, tc, addresses, an, id);
    }

    private static int SkipName(byte[] p, int o)
    {
        while (p[o] != 0)
        {
            if ((p[o] & 0xC0) == 0xC0) return o + 2;
            o += p[o] + 1;
        }
        return o + 1;
    }

    private static byte[]? ReadExactly(Socket s, int length)
    {
        var buffer = new byte[length];
        int read = 0;
        while (read < length)
        {
            int n = s.Receive(buffer, read, length - read, SocketFlags.None);
            if (n == 0) return null;
            read += n;
        }
        return buffer;
    }
}
