using Plexus.Engine.Controller;

namespace Plexus.Daemon.Api;

/// <summary>
/// Bounds every request body at <see cref="RequestLimits.MaxBodyBytes"/>. A body that says it is longer is
/// refused before a byte of it is read; one sent in chunks is refused as it crosses the limit. Either way the
/// answer is 413 with Docker's {"message"}, and nothing of the body is kept.
/// </summary>
internal static class RequestBodyLimit
{
    /// <summary>
    /// Kestrel's own limit. After the 413, Kestrel reads the rest of the body and throws it away, so the client
    /// (which is still sending) gets the answer; above this it closes the connection instead. It also stands
    /// behind <see cref="Apply"/>, answering with no message, should a body ever get past it.
    /// </summary>
    public const long KestrelBackstop = 64L * RequestLimits.MaxBodyBytes;

    public static void Apply(HttpContext context)
    {
        var request = context.Request;
        if (request.ContentLength is { } length && length > RequestLimits.MaxBodyBytes)
            throw RequestTooLargeException.Of(length);
        // A declared length within the limit bounds the body already (Kestrel reads no further than it says), so
        // only a chunked body is counted. Left unwrapped, a body is read straight from Kestrel's pipe: wrapped,
        // every JSON body went through a stream and a pipe reader over it again, on every attach.
        if (request.ContentLength is not null || HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsDelete(request.Method))
            return;
        request.Body = new BoundedStream(request.Body);
    }

    /// <summary>Reads through, counting; past the limit it throws, which the JSON reader does not swallow (it is no IOException).</summary>
    private sealed class BoundedStream(Stream inner) : Stream
    {
        private long _read;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => _read;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush() { }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private int Count(int n)
        {
            _read += n;
            if (_read > RequestLimits.MaxBodyBytes) throw RequestTooLargeException.Of(null);
            return n;
        }
    }
}

/// <summary>A request body over <see cref="RequestLimits.MaxBodyBytes"/>: 413.</summary>
internal sealed class RequestTooLargeException : Exception
{
    /// <summary>The answer for a body of <paramref name="declared"/> bytes (null: it came in chunks).</summary>
    public static RequestTooLargeException Of(long? declared) =>
        new($"request body too large{(declared is { } d ? $" ({d} bytes)" : "")}: the daemon takes at most {RequestLimits.MaxBodyBytes} bytes (1 MiB)");

    public RequestTooLargeException() { }

    public RequestTooLargeException(string message) : base(message) { }

    public RequestTooLargeException(string message, Exception inner) : base(message, inner) { }
}
