using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Plexus.Cluster.Etcd;

namespace Plexus.Cluster.Tests;

/// <summary>
/// Dialling a member (no etcd needed; loopback only): a connect nobody answers ends at the dial timeout, the one clock
/// that bounds it, or when the call is cancelled, and a failed dial is reported as never sent.
/// </summary>
public sealed class EtcdDialTests
{
    [Fact]
    public void A_member_that_never_answers_the_handshake_fails_the_dial_at_its_timeout_as_not_sent()
    {
        using var silent = new SilentListener();
        var member = Member(silent.Port, TimeSpan.FromSeconds(1));
        using var backstop = new CancellationTokenSource(TimeSpan.FromMinutes(2)); // a failed test, not a hung one
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<EtcdUnreachableException>(() => Range(member, backstop.Token));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}"); // ends rather than hangs
        Assert.Equal("no connection within 1 s", e.Message);
        Assert.False(e.Sent);
    }

    [Fact]
    public void A_call_cancelled_while_dialling_ends_then_not_at_the_dial_timeout()
    {
        using var silent = new SilentListener();
        var member = Member(silent.Port, TimeSpan.FromMinutes(10));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<EtcdUnreachableException>(() => Range(member, cancel.Token));
        Assert.True(clock.Elapsed < TimeSpan.FromMinutes(2), $"took {clock.Elapsed}");
        Assert.Equal("no answer in time", e.Message);
        Assert.False(e.Sent);
    }

    [Fact]
    public void A_refused_connection_says_so_as_not_sent()
    {
        using var backstop = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        int port;
        using (var closed = new Socket(SocketType.Stream, ProtocolType.Tcp))
        {
            closed.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            port = ((IPEndPoint)closed.LocalEndPoint!).Port; // bound, never listening: refused
            var e = Assert.Throws<EtcdUnreachableException>(() => Range(Member(port, TimeSpan.FromSeconds(30)), backstop.Token));
            Assert.Contains("refused", e.Message, StringComparison.OrdinalIgnoreCase);
            Assert.False(e.Sent);
        }
    }

    private static EtcdMember Member(int port, TimeSpan dialTimeout)
    {
        var uri = new Uri($"http://127.0.0.1:{port}");
        return new EtcdMember(uri, new EtcdOptions { Endpoints = [uri], DialTimeout = dialTimeout }, ssl: null);
    }

    private static RangeResponse Range(EtcdMember member, CancellationToken cancel) =>
        member.Post("/v3/kv/range", new RangeRequest { Key = "/x"u8.ToArray() }, EtcdJson.Default.RangeRequest, EtcdJson.Default.RangeResponse, cancel);

    /// <summary>
    /// A loopback listener whose accept queue is full, so the kernel drops further SYNs: a connect to it stays under way,
    /// as one to a member whose host is gone does.
    /// </summary>
    private sealed class SilentListener : IDisposable
    {
        private readonly Socket _listener = new(SocketType.Stream, ProtocolType.Tcp);
        private readonly List<Socket> _fillers = [];

        public SilentListener()
        {
            _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            _listener.Listen(0);
            Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
            // Connect until one is not answered: the queue is full from then on (nothing accepts).
            for (int i = 0; i < 64; i++)
            {
                var filler = new Socket(SocketType.Stream, ProtocolType.Tcp);
                _fillers.Add(filler);
                var connect = filler.ConnectAsync(IPAddress.Loopback, Port);
                if (!connect.Wait(TimeSpan.FromSeconds(1))) return;
            }
            throw new InvalidOperationException("the listener's accept queue never filled");
        }

        public int Port { get; }

        public void Dispose()
        {
            foreach (var filler in _fillers) filler.Dispose();
            _listener.Dispose();
        }
    }
}
