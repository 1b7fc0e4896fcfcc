using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Plexus.Client;

/// <summary>
/// An HTTP/1.1 body on its connection: <c>length</c> bytes (Content-Length), chunked (<c>length</c> null), or
/// everything until the server closes (-1). Reads start with what came in with the headers, and block on the
/// connection (a socket's stream, or TLS over it; see <see cref="HttpConnection"/>); cancelling the request's
/// token closes it. Owns the connection.
/// </summary>
internal sealed class HttpBodyStream(Stream connection, CancellationTokenRegistration closeOnCancel, ReadOnlyMemory<byte> leftover, long? length,
    CancellationToken requestCancelled) : Stream
{
    /// <summary>A chunk-size line longer than this is not HTTP.</summary>
    private const int MaxChunkLine = 1024;

    private ReadOnlyMemory<byte> _buffered = leftover;
    private byte[]? _readBuffer;
    private long _remaining = length ?? 0; // bytes left of the body (length) or of the current chunk (chunked)
    private bool _done = length == 0;
    private bool _firstChunk = true;

    private bool Chunked => length is null;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> destination)
    {
        try
        {
            return ReadBody(destination);
        }
        catch (Exception e) when (requestCancelled.IsCancellationRequested && e is SocketException or ObjectDisposedException or IOException)
        {
            throw new OperationCanceledException(requestCancelled);
        }
        catch (SocketException e)
        {
            throw new IOException(e.Message, e);
        }
    }

    public override ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Read(destination.Span));
    }

    private int ReadBody(Span<byte> destination)
    {
        if (_done || destination.Length == 0) return 0;
        if (Chunked && _remaining == 0)
        {
            // Between chunks: the CRLF that ends the previous one, then the next size line (hex, maybe ";ext").
            if (!_firstChunk) ExpectEmptyLine();
            _firstChunk = false;
            var line = ReadLine();
            int semicolon = line.IndexOf(';', StringComparison.Ordinal);
            var size = (semicolon < 0 ? line : line[..semicolon]).Trim();
            if (!long.TryParse(size, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out _remaining) || _remaining < 0)
                throw new IOException($"bad chunk size in the answer: '{line}'");
            if (_remaining == 0)
            {
                _done = true; // trailers, if any, are left unread: the connection closes after this answer
                return 0;
            }
        }
        int want = length == -1 ? destination.Length : (int)Math.Min(destination.Length, _remaining);
        int n = ReadRaw(destination[..want]);
        if (n == 0)
        {
            if (length == -1)
            {
                _done = true;
                return 0;
            }
            throw new IOException("the server closed the connection before the end of its answer");
        }
        if (length != -1)
        {
            _remaining -= n;
            if (!Chunked && _remaining == 0) _done = true;
        }
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>Bytes from the connection, through a buffer (chunk lines are read a byte at a time).</summary>
    private int ReadRaw(Span<byte> destination)
    {
        if (_buffered.IsEmpty)
        {
            _readBuffer ??= new byte[16 * 1024];
            int read = connection.Read(_readBuffer);
            if (read == 0) return 0;
            _buffered = _readBuffer.AsMemory(0, read);
        }
        int n = Math.Min(_buffered.Length, destination.Length);
        _buffered.Span[..n].CopyTo(destination);
        _buffered = _buffered[n..];
        return n;
    }

    private string ReadLine()
    {
        var line = new StringBuilder();
        Span<byte> one = stackalloc byte[1];
        while (true)
        {
            if (ReadRaw(one) == 0) throw new IOException("the server closed the connection inside a chunked answer");
            if (one[0] == (byte)'\n') return line.ToString().TrimEnd('\r');
            if (line.Length >= MaxChunkLine) throw new IOException("a chunk line in the answer is too long");
            line.Append((char)one[0]);
        }
    }

    private void ExpectEmptyLine()
    {
        var line = ReadLine();
        if (line.Length != 0) throw new IOException($"malformed chunked answer: expected an empty line, got '{line}'");
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            closeOnCancel.Dispose();
            connection.Dispose();
        }
        base.Dispose(disposing);
    }
}
