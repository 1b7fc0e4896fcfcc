using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Plexus.Client;

/// <summary>
/// One HTTP/1.1 request and its response on a connection of its own (Unix socket or TCP), closed after it.
/// A CLI run makes one or two requests: HttpClient's handler, pools and header machinery cost more to start
/// than the whole exchange, so this speaks the little HTTP plexusd answers with (a status line, headers, a
/// body sized by Content-Length, chunked, or ending with the connection).
/// </summary>
/// <remarks>
/// plexusd's etcd client (Plexus.Cluster) speaks to etcd's JSON gateway the same way, over TCP or TLS: it uses
/// <see cref="Request"/> and <see cref="ReadAnswer"/> on a connection it made itself. HttpClient would link
/// the HTTP/2 and HTTP/3 stacks into plexusd, whose data pages cost resident memory and start-up time.
/// </remarks>
internal static class HttpConnection
{
    /// <summary>Headers of an answer larger than this are not plexusd's (nor etcd's).</summary>
    private const int MaxHeaderBytes = 64 * 1024;

    /// <summary>
    /// Sends the request and reads the answer's head. The socket is used synchronously: a CLI run waits on one
    /// request at a time, and blocking calls start neither the socket engine's thread nor thread-pool workers
    /// (start-up time). Cancellation closes the socket, which ends a blocked call at once.
    /// </summary>
    /// <exception cref="SocketException">The connection could not be made.</exception>
    /// <exception cref="IOException">The connection broke, or the answer is not HTTP.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="ct"/> was cancelled.</exception>
    public static Task<HttpAnswer> SendAsync(DaemonHost host, string method, string target, byte[]? jsonBody, CancellationToken ct, string? accept = null)
    {
        ct.ThrowIfCancellationRequested();
        var socket = host.SocketPath is not null
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(SocketType.Stream, ProtocolType.Tcp);
        var closeOnCancel = ct.Register(static s => ((Socket)s!).Dispose(), socket);
        try
        {
            if (host.SocketPath is { } socketPath)
                socket.Connect(new UnixDomainSocketEndPoint(socketPath));
            else
                socket.Connect(TcpEndPoint(host.TcpAuthority!));
            socket.Send(Request(host.TcpAuthority ?? "plexus", method, target, jsonBody, accept));
            return Task.FromResult(ReadAnswer(new NetworkStream(socket, ownsSocket: true), closeOnCancel, ct));
        }
        catch (IOException e) when (!ct.IsCancellationRequested && e.InnerException is SocketException broken)
        {
            // The connection broke under the stream: reported as the socket error it is, as before the stream.
            closeOnCancel.Dispose();
            socket.Dispose();
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(broken);
            throw;
        }
        catch (Exception e) when (ct.IsCancellationRequested && e is SocketException or ObjectDisposedException or IOException)
        {
            closeOnCancel.Dispose();
            socket.Dispose();
            throw new OperationCanceledException(ct);
        }
        catch
        {
            closeOnCancel.Dispose();
            socket.Dispose();
            throw;
        }
    }

    private static DnsEndPoint TcpEndPoint(string authority)
    {
        var uri = new Uri("http://" + authority);
        return new DnsEndPoint(uri.IdnHost, uri.Port);
    }

    /// <summary>
    /// The bytes of a request that closes its connection after the answer: the head (Host, Connection: close,
    /// <paramref name="headers"/>) and the JSON <paramref name="body"/>, if any.
    /// </summary>
    public static byte[] Request(string hostHeader, string method, string target, byte[]? body, string? accept = null,
        IReadOnlyList<KeyValuePair<string, string>>? headers = null)
    {
        var head = new StringBuilder(256)
            .Append(method).Append(' ').Append(target).Append(" HTTP/1.1\r\n")
            .Append("Host: ").Append(hostHeader).Append("\r\n")
            .Append("User-Agent: plexus-client\r\n")
            .Append("Connection: close\r\n");
        if (accept is not null) head.Append("Accept: ").Append(accept).Append("\r\n");
        foreach (var (name, value) in headers ?? []) head.Append(name).Append(": ").Append(value).Append("\r\n");
        if (body is not null)
        {
            head.Append("Content-Type: application/json; charset=utf-8\r\n")
                .Append("Content-Length: ").Append(body.Length.ToString(CultureInfo.InvariantCulture)).Append("\r\n");
        }
        else if (method is "POST" or "PUT")
        {
            head.Append("Content-Length: 0\r\n");
        }
        head.Append("\r\n");
        var headBytes = Encoding.ASCII.GetBytes(head.ToString());
        if (body is null) return headBytes;
        var all = new byte[headBytes.Length + body.Length];
        headBytes.CopyTo(all, 0);
        body.CopyTo(all, headBytes.Length);
        return all;
    }

    /// <summary>
    /// Reads the answer's status line and headers from <paramref name="connection"/> (blocking); its body is read
    /// as it arrives. The answer owns the connection and <paramref name="closeOnCancel"/> (what closes the
    /// connection when <paramref name="ct"/> is cancelled) and disposes both.
    /// </summary>
    /// <exception cref="IOException">The connection broke, or the answer is not HTTP.</exception>
    public static HttpAnswer ReadAnswer(Stream connection, CancellationTokenRegistration closeOnCancel, CancellationToken ct)
    {
        var buffer = new byte[16 * 1024];
        int filled = 0;
        int headerEnd;
        while ((headerEnd = buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8)) < 0)
        {
            if (filled == buffer.Length)
            {
                if (buffer.Length >= MaxHeaderBytes) throw new IOException("the answer's headers are too large");
                Array.Resize(ref buffer, buffer.Length * 2);
            }
            int n = connection.Read(buffer.AsSpan(filled));
            if (n == 0) throw new IOException(filled == 0 ? "the server closed the connection without answering" : "the answer ended inside its headers");
            filled += n;
        }
        var lines = Encoding.ASCII.GetString(buffer, 0, headerEnd).Split("\r\n");
        var status = lines[0].Split(' ', 3);
        if (status.Length < 2 || !status[0].StartsWith("HTTP/1.", StringComparison.Ordinal)
            || !int.TryParse(status[1], NumberStyles.None, CultureInfo.InvariantCulture, out int code))
            throw new IOException($"the answer is not HTTP: {lines[0]}");
        long? length = null;
        bool chunked = false;
        string? mediaType = null;
        foreach (var line in lines.AsSpan(1))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0) continue;
            var name = line.AsSpan(0, colon).Trim();
            var value = line.AsSpan(colon + 1).Trim();
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)
                && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long l))
                length = l;
            else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) && value.Contains("chunked", StringComparison.OrdinalIgnoreCase))
                chunked = true;
            else if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
                mediaType = (value.IndexOf(';') is int semicolon and >= 0 ? value[..semicolon] : value).Trim().ToString();
        }
        var leftover = buffer.AsMemory(headerEnd + 4, filled - headerEnd - 4);
        var body = new HttpBodyStream(connection, closeOnCancel, leftover, chunked ? null : length ?? -1, ct);
        return new HttpAnswer(code, status.Length > 2 ? status[2] : "", body, mediaType);
    }
}
