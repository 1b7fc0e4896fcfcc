using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Plexus.Client;

namespace Plexus.Cluster.Etcd;

/// <summary>
/// One etcd member's JSON gateway (grpc-gateway, served on the client URL under /v3/): each call POSTs one
/// request message as JSON and reads the answer over HTTP/1.1 on a connection of its own, with Plexus.Client's
/// <see cref="HttpConnection"/> (TLS over it when the endpoint is https or TLS files are given).
/// </summary>
/// <remarks>
/// <para>
/// Why not gRPC: its stack (Grpc.Net.Client, Google.Protobuf, HTTP/2 in SocketsHttpHandler) linked into
/// plexusd costs several MB of resident memory and start-up time in every daemon, cluster store or not.
/// </para>
/// <para>
/// A connection per call (Connection: close) keeps the failover rule exact: a call whose connection could not
/// be made (TCP or TLS) was never sent, and any failure after the request was written leaves its outcome
/// unknown; a pooled connection that the member had closed meanwhile could not be told apart from a member
/// that failed mid-request. The cost, a TCP (and TLS) handshake per call, is small beside a write's raft commit.
/// </para>
/// <para>
/// The "hasleader" metadata (etcd refuses or ends a watch or keep-alive on a member cut off from its leader
/// rather than let it go quiet) travels as the gateway's Grpc-Metadata-hasleader header, which grpc-gateway
/// forwards to etcd as gRPC metadata.
/// </para>
/// </remarks>
internal sealed class EtcdMember(Uri uri, EtcdOptions options, SslClientAuthenticationOptions? ssl)
{
    private static readonly KeyValuePair<string, string>[] RequireLeader = [new("Grpc-Metadata-hasleader", "true")];

    /// <summary>Error bodies larger than this are cut (they are one message).</summary>
    private const int MaxErrorBytes = 16 * 1024;

    /// <summary>How long one poll of a connect under way waits: how late a disposed (timed-out, cancelled) dial may notice.</summary>
    private static readonly TimeSpan PollSlice = TimeSpan.FromMilliseconds(50);

    private readonly SslClientAuthenticationOptions? _ssl = ssl is null ? null : new SslClientAuthenticationOptions
    {
        TargetHost = uri.IdnHost,
        ClientCertificates = ssl.ClientCertificates,
        RemoteCertificateValidationCallback = ssl.RemoteCertificateValidationCallback,
    };

    public Uri Uri { get; } = uri;

    /// <summary>A unary call: <paramref name="request"/> to <paramref name="path"/>, its answer read whole.</summary>
    public TResponse Post<TRequest, TResponse>(string path, TRequest request, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType,
        CancellationToken deadline)
        where TResponse : class
    {
        using var answer = Open(path, JsonSerializer.SerializeToUtf8Bytes(request, requestType), requireLeader: false, deadline);
        var body = ReadAll(answer.Body, deadline);
        return Parse(body, responseType) ?? throw new EtcdRefusedException(0, $"etcd's answer to {path} is empty");
    }

    /// <summary>
    /// A streamed call with one request (a lease keep-alive, a watch): the answer is a sequence of JSON messages,
    /// one a line, read with <see cref="ReadMessage"/>. Until <paramref name="cancel"/> closes it, the connection
    /// stays open. Member-side failures end it with {"error": ...} (see <see cref="StreamError"/>).
    /// </summary>
    public HttpAnswer OpenStream<TRequest>(string path, TRequest request, JsonTypeInfo<TRequest> requestType, CancellationToken cancel) =>
        Open(path, JsonSerializer.SerializeToUtf8Bytes(request, requestType), requireLeader: true, cancel);

    /// <summary>
    /// The next message of a streamed answer (the bytes of one line), or null at its end. <paramref name="buffer"/>
    /// keeps what was read past the line; <paramref name="received"/> is called whenever bytes arrive.
    /// </summary>
    /// <exception cref="EtcdUnreachableException">The connection broke (or was closed).</exception>
    public static byte[]? ReadMessage(Stream body, MessageBuffer buffer, Action? received = null)
    {
        try
        {
            return NextLine(body, buffer, received);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            throw new EtcdUnreachableException($"the connection broke: {Message(e)}", sent: true, e);
        }
    }

    private static byte[]? NextLine(Stream body, MessageBuffer buffer, Action? received)
    {
        while (true)
        {
            int newline = buffer.Pending.IndexOf((byte)'\n');
            if (newline >= 0)
            {
                var line = buffer.Pending[..newline].ToArray();
                buffer.Consume(newline + 1);
                if (line.AsSpan().Trim((byte)'\r').Length == 0) continue;
                return line;
            }
            int n = buffer.Fill(body);
            received?.Invoke();
            if (n == 0)
            {
                if (buffer.Pending.Trim("\r\n "u8).Length == 0) return null;
                var last = buffer.Pending.ToArray(); // a last message without its newline
                buffer.Consume(last.Length);
                return last;
            }
        }
    }

    /// <summary>Deserializes a message of etcd's; a malformed one is a protocol error, reported as a refusal that names it.</summary>
    public static T? Parse<T>(ReadOnlySpan<byte> json, JsonTypeInfo<T> type)
    {
        try
        {
            return JsonSerializer.Deserialize(json, type);
        }
        catch (JsonException e)
        {
            throw new EtcdRefusedException(0, $"etcd's answer is not the JSON expected ({e.Message}): {Clip(json)}");
        }
    }

    /// <summary>Connects, sends the request and reads the answer's head; a refusal (non-200) is thrown as what it means.</summary>
    private HttpAnswer Open(string path, byte[] body, bool requireLeader, CancellationToken cancel)
    {
        var connection = Connect(cancel, out var socket);
        // Closing the socket (not the TLS stream over it) ends a read blocked on it at once, from any thread.
        var closeOnCancel = cancel.Register(static s => ((Socket)s!).Dispose(), socket);
        HttpAnswer answer;
        try
        {
            connection.Write(HttpConnection.Request(Uri.Authority, "POST", path, body, accept: "application/json", requireLeader ? RequireLeader : null));
            connection.Flush();
            answer = HttpConnection.ReadAnswer(connection, closeOnCancel, cancel);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            closeOnCancel.Dispose();
            connection.Dispose();
            throw new EtcdUnreachableException(cancel.IsCancellationRequested ? "no answer in time" : $"the connection broke: {Message(e)}", sent: true, e);
        }
        if (answer.StatusCode == 200) return answer;
        using (answer) throw Refusal(answer, cancel);
    }

    /// <summary>
    /// TCP (and TLS) to the member within the dial timeout; any failure here means the request was never sent. The
    /// timeout has one clock: when it runs out (or the call is cancelled) the socket being dialled is disposed, which
    /// ends a connect being waited for and a TLS handshake blocked in a read alike.
    /// </summary>
    private Stream Connect(CancellationToken cancel, out Socket socket)
    {
        using var dial = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        dial.CancelAfter(options.DialTimeout);
        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(Uri.IdnHost, out var literal) ? [literal] : Dns.GetHostAddresses(Uri.IdnHost);
        }
        catch (SocketException e)
        {
            throw new EtcdUnreachableException(Message(e), sent: false, e);
        }
        Exception? last = null;
        foreach (var address in addresses)
        {
            // A socket per address: one whose connect failed is spent, so the next address gets a fresh one.
            var attempt = NewSocket();
            var closeOnDial = dial.Token.Register(static s => ((Socket)s!).Dispose(), attempt);
            try
            {
                ConnectWithoutPool(attempt, new IPEndPoint(address, Uri.Port));
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                closeOnDial.Dispose();
                attempt.Dispose();
                last = e;
                if (dial.IsCancellationRequested) break;
                continue;
            }
            socket = attempt;
            return Secure(attempt, closeOnDial, dial, cancel);
        }
        throw new EtcdUnreachableException(
            dial.IsCancellationRequested ? NoConnection(cancel) : last is null ? $"{Uri.IdnHost} has no address" : Message(last), sent: false, last);
    }

    private Socket NewSocket()
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        // TCP keep-alive finds a watch's connection that was lost on the way (the member still answering new
        // ones, so the watchdog's read succeeds); the watchdog finds a member that hangs.
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
        socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, Math.Max(1, (int)options.WatchCheckInterval.TotalSeconds));
        socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval, 2);
        socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount, 3);
        return socket;
    }

    /// <summary>
    /// TLS over the connected socket when the member wants it, still under the dial timeout. The timeout is lifted only
    /// if it has not fired: a socket it disposed after the handshake would fail the request as if it had been sent.
    /// </summary>
    private Stream Secure(Socket socket, CancellationTokenRegistration closeOnDial, CancellationTokenSource dial, CancellationToken cancel)
    {
        Stream? stream = null;
        try
        {
            // Inside the try: the timeout may have disposed the socket already, and the stream refuses a closed one.
            stream = new NetworkStream(socket, ownsSocket: true);
            if (_ssl is not null)
            {
                var tls = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = tls;
                tls.AuthenticateAsClient(_ssl);
            }
        }
        catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException or SocketException or ObjectDisposedException)
        {
            closeOnDial.Dispose();
            if (stream is null) socket.Dispose();
            else stream.Dispose();
            throw new EtcdUnreachableException(dial.IsCancellationRequested ? NoConnection(cancel) : $"TLS: {Message(e)}", sent: false, e);
        }
        if (closeOnDial.Unregister()) return stream;
        stream.Dispose();
        throw new EtcdUnreachableException(NoConnection(cancel), sent: false);
    }

    /// <summary>
    /// Connects without the thread pool: a non-blocking connect and a poll for its end, on the calling thread. Store
    /// calls are synchronous and come from pool threads; an asynchronous connect waited for there needs another pool
    /// thread to complete, and writers racing on a busy machine starved each other past the dial timeout. There is no
    /// deadline here: the dial timeout disposes the socket, and the next poll throws <see cref="ObjectDisposedException"/>.
    /// </summary>
    private static void ConnectWithoutPool(Socket socket, IPEndPoint endpoint)
    {
        socket.Blocking = false;
        try
        {
            socket.Connect(endpoint);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
        {
            // Under way. Polled in slices: disposing a socket need not wake a poll already waiting on it.
            while (true)
            {
                if (socket.Poll(PollSlice, SelectMode.SelectWrite) || socket.Poll(0, SelectMode.SelectError)) break;
            }
            var error = (SocketError)(int)socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error)!;
            if (error != SocketError.Success) throw new SocketException((int)error);
        }
        socket.Blocking = true;
    }

    private string NoConnection(CancellationToken cancel) =>
        cancel.IsCancellationRequested ? "no answer in time" : $"no connection within {options.DialTimeout.TotalSeconds:0.#} s";

    /// <summary>The gateway's error answer ({"error", "code", "message"}: etcd's gRPC status) as the exception it means.</summary>
    private static Exception Refusal(HttpAnswer answer, CancellationToken cancel)
    {
        byte[] body;
        try
        {
            body = ReadAll(answer.Body, cancel, MaxErrorBytes);
        }
        catch (EtcdUnreachableException)
        {
            body = [];
        }
        GatewayError? error = null;
        try
        {
            error = body.Length > 0 ? JsonSerializer.Deserialize(body, EtcdJson.Default.GatewayError) : null;
        }
        catch (JsonException)
        {
            // not the gateway's (a proxy's page, say): reported by its status below
        }
        if (error is { Code: > 0 })
            return EtcdRefusedException.From(error.Code, error.Message ?? error.Error ?? $"HTTP {answer.StatusCode}");
        var status = $"HTTP {answer.StatusCode} {answer.ReasonPhrase}".TrimEnd();
        return answer.StatusCode is 502 or 503 or 504
            ? new EtcdUnreachableException(status, sent: true)
            : new EtcdRefusedException(0, body.Length > 0 ? $"{status}: {Clip(body)}" : status);
    }

    private static byte[] ReadAll(Stream body, CancellationToken cancel, int limit = int.MaxValue)
    {
        try
        {
            using var all = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int n;
            while (all.Length < limit && (n = body.Read(chunk)) > 0) all.Write(chunk, 0, n);
            return all.ToArray();
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            throw new EtcdUnreachableException(cancel.IsCancellationRequested ? "no answer in time" : $"the connection broke: {Message(e)}", sent: true, e);
        }
    }

    /// <summary>The innermost message: "Connection refused" rather than the wrappers around it.</summary>
    private static string Message(Exception e)
    {
        while (e.InnerException is { } inner && e is IOException or AggregateException) e = inner;
        return e.Message;
    }

    private static string Clip(ReadOnlySpan<byte> text) =>
        text.Length <= 200 ? Encoding.UTF8.GetString(text) : Encoding.UTF8.GetString(text[..200]) + "...";
}

/// <summary>Bytes read from a streamed answer that are not yet a whole message.</summary>
internal sealed class MessageBuffer
{
    private byte[] _bytes = new byte[16 * 1024];
    private int _start;
    private int _end;

    public ReadOnlySpan<byte> Pending => _bytes.AsSpan(_start, _end - _start);

    public void Consume(int count) => _start += count;

    /// <summary>Reads once from <paramref name="body"/> (blocking); 0 at its end.</summary>
    public int Fill(Stream body)
    {
        if (_start > 0)
        {
            Pending.CopyTo(_bytes);
            _end -= _start;
            _start = 0;
        }
        if (_end == _bytes.Length) Array.Resize(ref _bytes, _bytes.Length * 2);
        int n = body.Read(_bytes, _end, _bytes.Length - _end);
        _end += n;
        return n;
    }
}
