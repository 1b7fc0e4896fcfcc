using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Plexus.Kernel;
using Plexus.Kernel.Firewall.Nftables;
using Plexus.Kernel.Namespaces;
using Plexus.Kernel.Sockets;

namespace Plexus.Engine.Dns;

/// <summary>
/// The resolver of one sandbox: UDP and TCP sockets on 127.0.0.11 opened inside the sandbox's namespace
/// (so only that sandbox reaches them, and every question arrives knowing who asks), served by the daemon.
/// They listen on ports the kernel picks, and 127.0.0.11:53 is redirected to them inside the sandbox
/// (<see cref="LoopbackRedirect"/>), as Docker does: port 53 stays free for the sandbox's own DNS server
/// (dnsmasq, CoreDNS, anything that binds 0.0.0.0:53 or [::]:53), and names still resolve at 127.0.0.11.
/// The redirect is a raw nf_tables batch on a netfilter socket the resolver keeps for the sandbox's life (it needs
/// the kernel's nf_tables and nat, not libnftables, on either firewall backend).
/// UDP questions are read and answered on the shared <see cref="DatagramReactor"/> thread, which serves a
/// bounded number of datagrams per sandbox per turn; each sandbox has its own bound on questions in flight
/// upstream, so a sandbox that floods its resolver delays only itself.
/// </summary>
public sealed class SandboxResolver : IDisposable, IDatagramHandler
{
    public static readonly IPAddress Address = IPAddress.Parse("127.0.0.11");
    public const int Port = 53;

    /// <summary>Questions of one sandbox waiting on upstream at once; more are dropped (the client retries).</summary>
    public const int MaxInFlight = 64;

    /// <summary>TCP connections of one sandbox at once; more are closed.</summary>
    public const int MaxTcpConnections = 16;

    private static readonly TimeSpan TcpIdle = TimeSpan.FromSeconds(10);

    private DatagramSocket? _udp;
    private readonly Socket _tcp;
    private LoopbackRedirect? _redirect;
    private readonly QueryHandler _handler;
    private readonly DnsRegistry _registry;
    private readonly UpstreamForwarder _forwarder;
    private readonly CancellationTokenSource _stop = new();
    private int _inFlight;
    private int _tcpConnections;

    private SandboxResolver(Socket tcp, DnsRegistry registry, string sandboxId, UpstreamForwarder forwarder)
    {
        _tcp = tcp;
        _registry = registry;
        _handler = new QueryHandler(registry, sandboxId);
        _forwarder = forwarder;
    }

    /// <summary>The ports the resolver listens on inside the sandbox (53 only without the redirect).</summary>
    public int UdpPort => _udp?.LocalPort ?? 0;

    public int TcpPort => ((IPEndPoint)_tcp.LocalEndPoint!).Port;

    /// <summary>
    /// Opens the sockets inside <paramref name="sandboxNs"/> on free ports, redirects 127.0.0.11:53 to them
    /// there, and starts serving.
    /// </summary>
    public static SandboxResolver Start(NetworkNamespace sandboxNs, NetworkNamespace hostNs, DnsRegistry registry, string sandboxId,
        DatagramReactor reactor)
    {
        var resolver = new SandboxResolver(Listen(sandboxNs, 0), registry, sandboxId, new UpstreamForwarder(sandboxNs, hostNs));
        try
        {
            resolver._udp = reactor.Bind(sandboxNs, new IPEndPoint(Address, 0), resolver);
            // Kept for the resolver's life: the socket's close waits out an RCU grace period (see LoopbackRedirect).
            resolver._redirect = LoopbackRedirect.Open(sandboxNs);
            resolver._redirect.Apply(Address, Port, resolver.UdpPort, resolver.TcpPort);
        }
        catch
        {
            resolver.Dispose();
            throw;
        }
        _ = resolver.AcceptLoop();
        return resolver;
    }

    /// <summary>
    /// True while the resolver idles: its sandbox is on no network with names, and every question gets REFUSED.
    /// Its sockets and the redirect stay, so the sandbox's next join serves again without opening a socket or
    /// making an nf_tables transaction (Docker's resolver, likewise, lives as long as its sandbox).
    /// </summary>
    public bool Idle
    {
        get => _handler.Refusing;
        set => _handler.Refusing = value;
    }

    private static Socket Listen(NetworkNamespace ns, int port) => ns.Run(() =>
    {
        var t = DescriptorRange.Raise(new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
        try
        {
            t.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            t.Bind(new IPEndPoint(Address, port));
            t.Listen(MaxTcpConnections);
            return t;
        }
        catch
        {
            t.Dispose();
            throw;
        }
    });

    /// <summary>Takes the redirect of 127.0.0.11:53 out of the sandbox (a join that failed undoes its start so).</summary>
    public void RemoveRedirect()
    {
        if (Interlocked.Exchange(ref _redirect, null) is not { } redirect) return;
        try
        {
            redirect.Remove();
        }
        finally
        {
            redirect.Dispose();
        }
    }

    /// <summary>A UDP question, on the reactor's thread: answered at once, or handed to the forwarder.</summary>
    public int OnDatagram(ReadOnlySpan<byte> datagram, Span<byte> reply, in DatagramPeer source)
    {
        var decision = _handler.Handle(datagram, reply, overUdp: true, DnsLimits.MaxUdp, out var query, out int length);
        if (decision == QueryDecision.Respond) return length;
        if (decision == QueryDecision.Forward && TryEnter()) _ = ForwardUdp(datagram.ToArray(), query, source);
        return 0;
    }

    private async Task ForwardUdp(byte[] packet, DnsQuery query, DatagramPeer client)
    {
        try
        {
            var answer = await _forwarder.ForwardAsync(packet, query.QuestionEnd, overTcp: false, query.MaxUdpAnswer,
                _registry.ConfigOf(_handler.SandboxId).Upstreams).ConfigureAwait(false);
            if (answer is null)
            {
                var failure = new byte[DnsLimits.MaxUdp];
                int length = QueryHandler.Failure(failure, packet, query, DnsRcode.ServFail, query.MaxUdpAnswer);
                answer = failure[..length];
            }
            _udp?.SendTo(answer, client);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _tcp.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (SocketException)
            {
                continue;
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            if (Interlocked.Increment(ref _tcpConnections) > MaxTcpConnections)
            {
                Interlocked.Decrement(ref _tcpConnections);
                client.Dispose();
                continue;
            }
            _ = ServeTcp(client);
        }
    }

    /// <summary>Answers length-prefixed questions on one connection until the client closes or idles.</summary>
    private async Task ServeTcp(Socket client)
    {
        var prefix = new byte[2];
        var response = new byte[ushort.MaxValue + 2];
        try
        {
            using (client)
            {
                while (!_stop.IsCancellationRequested)
                {
                    using var idle = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                    idle.CancelAfter(TcpIdle);
                    if (!await TcpFraming.ReadExactlyAsync(client, prefix, idle.Token).ConfigureAwait(false)) return;
                    var packet = new byte[BinaryPrimitives.ReadUInt16BigEndian(prefix)];
                    if (!await TcpFraming.ReadExactlyAsync(client, packet, idle.Token).ConfigureAwait(false)) return;
                    var decision = _handler.Handle(packet, response.AsSpan(2), overUdp: false, ushort.MaxValue, out var query, out int length);
                    if (decision == QueryDecision.Drop) return;
                    byte[] framed;
                    if (decision == QueryDecision.Respond)
                    {
                        BinaryPrimitives.WriteUInt16BigEndian(response, (ushort)length);
                        await client.SendAsync(response.AsMemory(0, length + 2), SocketFlags.None, idle.Token).ConfigureAwait(false);
                        continue;
                    }
                    if (!TryEnter()) return;
                    byte[]? answer;
                    try
                    {
                        answer = await _forwarder.ForwardAsync(packet, query.QuestionEnd, overTcp: true, ushort.MaxValue,
                            _registry.ConfigOf(_handler.SandboxId).Upstreams).ConfigureAwait(false);
                    }
                    finally
                    {
                        Interlocked.Decrement(ref _inFlight);
                    }
                    if (answer is null)
                    {
                        length = QueryHandler.Failure(response.AsSpan(2), packet, query, DnsRcode.ServFail, ushort.MaxValue);
                        answer = response.AsSpan(2, length).ToArray();
                    }
                    framed = new byte[answer.Length + 2];
                    BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)answer.Length);
                    answer.CopyTo(framed, 2);
                    await client.SendAsync(framed, SocketFlags.None, idle.Token).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            Interlocked.Decrement(ref _tcpConnections);
        }
    }

    private bool TryEnter()
    {
        if (Interlocked.Increment(ref _inFlight) <= MaxInFlight) return true;
        Interlocked.Decrement(ref _inFlight);
        return false;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _udp?.Dispose();
        _tcp.Dispose();
        _forwarder.Dispose();
        Interlocked.Exchange(ref _redirect, null)?.Dispose(); // the table stays until its namespace goes
    }
}
