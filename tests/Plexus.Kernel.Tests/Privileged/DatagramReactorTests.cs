using System.Net;
using System.Net.Sockets;
using Plexus.Kernel.Sockets;
using Plexus.Testing;

namespace Plexus.Kernel.Tests.Privileged;

[Trait("Category", "Privileged")]
public sealed class DatagramReactorTests
{
    /// <summary>Answers "ping" with "pong:ping" at once; keeps anything else to answer later.</summary>
    private sealed class Echo : IDatagramHandler
    {
        public readonly List<(byte[] Data, DatagramPeer From)> Deferred = [];

        public int OnDatagram(ReadOnlySpan<byte> datagram, Span<byte> reply, in DatagramPeer source)
        {
            if (datagram.SequenceEqual("ping"u8))
            {
                "pong:ping"u8.CopyTo(reply);
                return 9;
            }
            if (datagram.SequenceEqual("boom"u8)) throw new InvalidOperationException("a handler bug");
            lock (Deferred) Deferred.Add((datagram.ToArray(), source));
            return 0;
        }
    }

    [PrivilegedFact]
    public void Sockets_in_two_namespaces_are_served_by_one_thread_and_answer_now_or_later()
    {
        using var net = new TestNetwork();
        var (a, _) = net.Add("a");
        var (b, _) = net.Add("b");
        using var reactor = new DatagramReactor("test-reactor");
        var endpoint = new IPEndPoint(IPAddress.Parse("127.0.0.11"), 5353);
        var echoA = new Echo();
        using var inA = reactor.Bind(a, endpoint, echoA);
        using var inB = reactor.Bind(b, endpoint, new Echo()); // the same address: each namespace has its own
        Assert.Equal(2, reactor.Count);

        using var client = a.Run(() => new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp));
        client.ReceiveTimeout = 2000;
        client.Connect(endpoint);
        var buffer = new byte[64];
        client.Send("boom"u8); // a handler that throws does not stop the reactor
        client.Send("ping"u8);
        Assert.Equal("pong:ping", System.Text.Encoding.ASCII.GetString(buffer, 0, client.Receive(buffer)));

        client.Send("later"u8);
        for (int i = 0; i < 100 && echoA.Deferred.Count == 0; i++) Thread.Sleep(10);
        var (data, from) = Assert.Single(echoA.Deferred);
        Assert.Equal(((IPEndPoint)client.LocalEndPoint!).Port, from.EndPoint.Port);
        Assert.True(inA.SendTo("answer"u8, from));
        Assert.Equal("answer", System.Text.Encoding.ASCII.GetString(buffer, 0, client.Receive(buffer)));

        // Disposed: the port is free again in that namespace.
        inA.Dispose();
        Assert.Equal(1, reactor.Count);
        using var again = a.Run(() => new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp));
        a.Run(() => again.Bind(endpoint));
    }
}
