using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Plexus.Kernel.Namespaces;
using Plexus.Kernel.Sockets;
using Plexus.Kernel.Types;

namespace Plexus.Engine.Dns;

/// <summary>
/// Sends a sandbox's foreign questions to its upstream servers, as the sandbox itself would: from its own
/// namespace (through its default route, masquerade and all), or from the host's for loopback servers
/// (a host's 127.0.0.53 means nothing inside a sandbox). UDP first, with a fresh random id per query and
/// answers accepted only from the server asked, for the id and question sent; over TCP when the client
/// asked over TCP, or when a UDP answer comes back truncated (the whole answer is relayed if it fits the
/// client's limit, else the truncated one, so the client asks again over TCP). Each server gets
/// <see cref="Timeout"/>, then the next.
/// </summary>
public sealed class UpstreamForwarder : IDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    private readonly NetworkNamespace _sandboxNs;
    private readonly NetworkNamespace _hostNs;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<ushort, Pending> _pending = new();
    private readonly ConcurrentDictionary<(bool FromHost, AddressFamily Family), Task<Socket>> _sockets = new();

    public UpstreamForwarder(NetworkNamespace sandboxNs, NetworkNamespace hostNs)
    {
        _sandboxNs = sandboxNs;
        _hostNs = hostNs;
    }

    /// <summary>
    /// The first upstream answer to <paramref name="query"/>, its id set back to the client's, or null when
    /// no server answered in time. <paramref name="maxAnswer"/> is the largest answer the client takes.
    /// </summary>
    public async Task<byte[]?> ForwardAsync(byte[] query, int questionEnd, bool overTcp, int maxAnswer, IReadOnlyList<Upstream> upstreams)
    {
        foreach (var upstream in upstreams)
        {
            byte[]? answer = null;
            try
            {
                if (overTcp) answer = await ExchangeTcpAsync(query, upstream).ConfigureAwait(false);
                else
                {
                    answer = await ExchangeUdpAsync(query, questionEnd, upstream).ConfigureAwait(false);
                    if (answer is not null && IsTruncated(answer)
                        && await ExchangeTcpAsync(query, upstream).ConfigureAwait(false) is { } whole && whole.Length <= maxAnswer)
                        answer = whole;
                }
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException or TimeoutException
                                          or IOException or Kernel.KernelException)
            {
                if (_stop.IsCancellationRequested) return null;
            }
            if (answer is null) continue;
            answer[0] = query[0];
            answer[1] = query[1];
            return answer;
        }
        return null;
    }

    private async Task<byte[]?> ExchangeUdpAsync(byte[] query, int questionEnd, Upstream upstream)
    {
        var socket = await SocketFor(upstream).ConfigureAwait(false);
        var sent = (byte[])query.Clone();
        var pending = new Pending(upstream.EndPoint.Serialize(), sent.AsMemory(DnsLimits.HeaderLength, questionEnd - DnsLimits.HeaderLength));
        ushort id;
        do id = SecureRandom.UInt16();
        while (!_pending.TryAdd(id, pending));
        try
        {
            BinaryPrimitives.WriteUInt16BigEndian(sent, id);
            await socket.SendToAsync(sent, SocketFlags.None, pending.From, _stop.Token).ConfigureAwait(false);
            return await pending.Answer.Task.WaitAsync(Timeout, _stop.Token).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return null;
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    private async Task<byte[]?> ExchangeTcpAsync(byte[] query, Upstream upstream)
    {
        var ns = upstream.FromHost ? _hostNs : _sandboxNs;
        var family = upstream.EndPoint.AddressFamily;
        using var socket = await ns.RunAsync(() => new Socket(family, SocketType.Stream, ProtocolType.Tcp)).ConfigureAwait(false);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        timeout.CancelAfter(Timeout * 2);
        await socket.ConnectAsync(upstream.EndPoint, timeout.Token).ConfigureAwait(false);
        var framed = new byte[query.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)query.Length);
        query.CopyTo(framed, 2);
        await socket.SendAsync(framed, SocketFlags.None, timeout.Token).ConfigureAwait(false);
        var prefix = new byte[2];
        if (!await TcpFraming.ReadExactlyAsync(socket, prefix, timeout.Token).ConfigureAwait(false)) return null;
        var answer = new byte[BinaryPrimitives.ReadUInt16BigEndian(prefix)];
        if (answer.Length < DnsLimits.HeaderLength || !await TcpFraming.ReadExactlyAsync(socket, answer, timeout.Token).ConfigureAwait(false))
            return null;
        return answer[0] == query[0] && answer[1] == query[1] ? answer : null;
    }

    /// <summary>One UDP socket per namespace and address family, made on first use, with its receive loop.</summary>
    private Task<Socket> SocketFor(Upstream upstream)
    {
        var key = (upstream.FromHost, upstream.EndPoint.AddressFamily);
        return _sockets.GetOrAdd(key, k =>
        {
            var ns = k.FromHost ? _hostNs : _sandboxNs;
            return ns.RunAsync(() =>
            {
                var s = DescriptorRange.Raise(new Socket(k.Family, SocketType.Dgram, ProtocolType.Udp));
                s.Bind(new IPEndPoint(k.Family == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0));
                return s;
            }).ContinueWith(t =>
            {
                if (t.IsCompletedSuccessfully) _ = ReceiveLoop(t.Result);
                else _sockets.TryRemove(k, out _); // try again next time
                return t;
            }, TaskScheduler.Default).Unwrap();
        });
    }

    private async Task ReceiveLoop(Socket socket)
    {
        var buffer = GC.AllocateUninitializedArray<byte>(ushort.MaxValue);
        var from = new SocketAddress(socket.AddressFamily);
        while (!_stop.IsCancellationRequested)
        {
            int n;
            try
            {
                n = await socket.ReceiveFromAsync(buffer, SocketFlags.None, from, _stop.Token).ConfigureAwait(false);
            }
            catch (SocketException)
            {
                continue; // e.g. an ICMP error for an earlier query: that query times out
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            if (n < DnsLimits.HeaderLength || !_pending.TryGetValue(BinaryPrimitives.ReadUInt16BigEndian(buffer), out var pending))
                continue;
            // Only the server asked, answering the question asked (a guessed id alone is not enough).
            if (!pending.From.Equals(from) || (buffer[2] & 0x80) == 0) continue;
            var question = pending.Question.Span;
            if (n < DnsLimits.HeaderLength + question.Length
                || !buffer.AsSpan(DnsLimits.HeaderLength, question.Length).SequenceEqual(question))
                continue;
            pending.Answer.TrySetResult(buffer.AsSpan(0, n).ToArray());
        }
    }

    private static bool IsTruncated(byte[] answer) => (answer[2] & 0x02) != 0;

    public void Dispose()
    {
        _stop.Cancel();
        foreach (var s in _sockets.Values)
            if (s.IsCompletedSuccessfully) s.Result.Dispose();
        _stop.Dispose();
    }

    private sealed record Pending(SocketAddress From, ReadOnlyMemory<byte> Question)
    {
        public TaskCompletionSource<byte[]> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
