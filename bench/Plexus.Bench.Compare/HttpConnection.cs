using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Plexus.Bench.Compare;

/// <summary>
/// One keep-alive HTTP/1.1 connection over a Unix socket, for the small JSON requests the scenarios time: the request
/// written in one send, the answer read by its Content-Length or chunks. It is part of the measuring instrument, not
/// of a system under test, so it should cost the machine as little as it can: HttpClient's SocketsHttpHandler took
/// 125-200 us of CPU per attach on a 2-CPU machine, CPU the daemon being measured then did not have.
/// </summary>
internal sealed class HttpConnection : IDisposable
{
    private readonly Socket _socket;
    private byte[] _buffer = new byte[16 * 1024];
    private int _start, _end;

    public HttpConnection(string socketPath, TimeSpan timeout)
    {
        _socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            _socket.Connect(new UnixDomainSocketEndPoint(socketPath));
            _socket.ReceiveTimeout = _socket.SendTimeout = (int)timeout.TotalMilliseconds;
        }
        catch
        {
            _socket.Dispose();
            throw;
        }
    }

    /// <summary>False once the server said it closes the connection (or it broke): such a connection is not reused.</summary>
    public bool Reusable { get; private set; } = true;

    /// <summary>Whether the server sent any of its answer to the last request (a request it never answered can be sent again).</summary>
    public bool Answered { get; private set; }

    /// <summary>Sends one request and reads its answer: the status code and the body as text.</summary>
    public (int Status, string Body) Send(string method, string path, string? json)
    {
        var body = json is null ? [] : Encoding.UTF8.GetBytes(json);
        var head = string.Create(CultureInfo.InvariantCulture,
            $"{method} {path} HTTP/1.1\r\nHost: localhost\r\n{(json is null && method != "POST" ? "" : "Content-Type: application/json\r\n")}Content-Length: {body.Length}\r\n\r\n");
        var request = new byte[Encoding.ASCII.GetByteCount(head) + body.Length];
        int n = Encoding.ASCII.GetBytes(head, request);
        body.CopyTo(request, n);
        Answered = false;
        try
        {
            _socket.Send(request);
            return ReadResponse();
        }
        catch
        {
            Reusable = false;
            throw;
        }
    }

    private (int Status, string Body) ReadResponse()
    {
        while (true)
        {
            var (status, body) = ReadOneResponse();
            if (status is >= 100 and < 200 and not 101) continue; // an interim answer (100 Continue): the final one follows
            return (status, body);
        }
    }

    private (int Status, string Body) ReadOneResponse()
    {
        int headEnd;
        while ((headEnd = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8)) < 0) Fill();
        var head = Encoding.ASCII.GetString(_buffer, _start, headEnd);
        _start += headEnd + 4;
        var lines = head.Split("\r\n");
        var statusParts = lines[0].Split(' ', 3);
        if (statusParts.Length < 2 || !int.TryParse(statusParts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int status))
            throw new IOException($"not an HTTP status line: '{lines[0]}'");
        long? length = null;
        bool chunked = false;
        foreach (var line in lines.AsSpan(1))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0) continue;
            var name = line.AsSpan(0, colon).Trim();
            var value = line.AsSpan(colon + 1).Trim();
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)) length = long.Parse(value, CultureInfo.InvariantCulture);
            else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)) chunked = value.Contains("chunked", StringComparison.OrdinalIgnoreCase);
            else if (name.Equals("Connection", StringComparison.OrdinalIgnoreCase) && value.Equals("close", StringComparison.OrdinalIgnoreCase)) Reusable = false;
        }
        if (status is 204 or 304 || (status >= 100 && status < 200)) return (status, "");
        var text = new MemoryStream();
        if (chunked)
        {
            while (true)
            {
                var sizeLine = ReadLine();
                int semicolon = sizeLine.IndexOf(';', StringComparison.Ordinal);
                if (!int.TryParse((semicolon >= 0 ? sizeLine[..semicolon] : sizeLine).Trim(), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int size) || size < 0)
                    throw new IOException($"not a chunk size: '{sizeLine}'");
                if (size == 0)
                {
                    while (ReadLine().Length > 0) { } // trailers, then the empty line
                    break;
                }
                Take(size, text);
                ReadLine();
            }
        }
        else if (length is { } l)
        {
            Take(l, text);
        }
        else
        {
            Reusable = false; // the body runs to the end of the connection
            while (true)
            {
                text.Write(_buffer, _start, _end - _start);
                _start = _end = 0;
                int got = _socket.Receive(_buffer);
                if (got == 0) break;
                _end = got;
            }
        }
        return (status, Encoding.UTF8.GetString(text.GetBuffer(), 0, (int)text.Length));
    }

    private string ReadLine()
    {
        int end;
        while ((end = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n"u8)) < 0) Fill();
        var line = Encoding.ASCII.GetString(_buffer, _start, end);
        _start += end + 2;
        return line;
    }

    private void Take(long count, MemoryStream into)
    {
        while (count > 0)
        {
            if (_start == _end) Fill();
            int take = (int)Math.Min(count, _end - _start);
            into.Write(_buffer, _start, take);
            _start += take;
            count -= take;
        }
    }

    /// <summary>Reads more into the buffer (compacting it, growing it for a long head).</summary>
    private void Fill()
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
        int got = _socket.Receive(_buffer.AsSpan(_end));
        if (got == 0) throw new IOException("the server closed the connection before its answer ended");
        Answered = true;
        _end += got;
    }

    public void Dispose() => _socket.Dispose();
}
