using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Connections;

namespace Plexus.Daemon.Hosting;

/// <summary>
/// Lets Kestrel upgrade an HTTP/1.1 request that carries a body. Docker's clients take over the connection
/// of `POST /exec/{id}/start` ("Connection: Upgrade", "Upgrade: tcp") and send a small JSON body with it;
/// they accept only 101 in answer. Kestrel ignores an upgrade when the request has a body, so this
/// connection middleware follows the requests on the connection (heads, Content-Length and chunked bodies,
/// byte for byte as they came) and, in the head of an upgrade request with a Content-Length body, renames
/// Content-Length to <see cref="BodyLengthHeader"/>. Kestrel then sees an upgradable request; the body is
/// the first bytes of the raw stream, which the handler reads before answering 101. Every other byte
/// passes unchanged.
/// </summary>
internal sealed class UpgradeWithBody
{
    /// <summary>Carries the original Content-Length of an upgrade request to its handler.</summary>
    public const string BodyLengthHeader = "X-Plexus-Upgrade-Body";

    /// <summary>A head longer than this is left to Kestrel, which refuses it (its own limit is 32 KiB).</summary>
    private const int MaxHead = 64 * 1024;

    private static ReadOnlySpan<byte> EndOfHead => "\r\n\r\n"u8;

    private static ReadOnlySpan<byte> EndOfLine => "\r\n"u8;

    private enum State
    {
        Head,
        Body,
        ChunkSize,
        ChunkData,
        Trailers,
        Raw,
    }

    private State _state = State.Head;
    private long _remaining;

    /// <summary>Set once an upgrade request went by: from then on the connection is a raw stream.</summary>
    private volatile bool _takenOver;

    public static ConnectionDelegate Wrap(ConnectionDelegate next) => async connection =>
    {
        var transport = connection.Transport;
        // Inline: Kestrel reads on the thread that filled the pipe, adding no thread hop per request.
        var pipe = new Pipe(new PipeOptions(readerScheduler: PipeScheduler.Inline, writerScheduler: PipeScheduler.Inline, useSynchronizationContext: false));
        connection.Transport = new DuplexPipe(pipe.Reader, transport.Output);
        var framer = new UpgradeWithBody();
        // Kestrel aborts a connection whose client closed its sending side; `docker exec` does exactly that
        // after the 101 when it has no stdin to send, and still reads the output. Once a connection is taken
        // over, the client's half-close only ends the command's stdin; Kestrel closes when the handler ends.
        var closedBySocket = connection.ConnectionClosed;
        using var closed = new CancellationTokenSource();
        using var forward = closedBySocket.Register(() =>
        {
            if (!framer._takenOver) closed.Cancel();
        });
        connection.ConnectionClosed = closed.Token;
        var pump = framer.PumpAsync(transport.Input, pipe.Writer);
        try
        {
            await next(connection);
        }
        finally
        {
            connection.Transport = transport;
            connection.ConnectionClosed = closedBySocket;
            transport.Input.CancelPendingRead();
            await pump;
        }
    };

    internal async Task PumpAsync(PipeReader input, PipeWriter output)
    {
        Exception? failure = null;
        try
        {
            while (true)
            {
                var result = await input.ReadAsync();
                if (result.IsCanceled) break;
                var buffer = result.Buffer;
                var consumed = Forward(buffer, output, result.IsCompleted);
                input.AdvanceTo(consumed, buffer.End);
                var flushed = await output.FlushAsync();
                if (flushed.IsCompleted || result.IsCompleted) break;
            }
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or ConnectionResetException or OperationCanceledException)
        {
            failure = e;
        }
        await output.CompleteAsync(failure);
        await input.CompleteAsync();
    }

    /// <summary>Writes what can be passed on now; returns where the unread rest begins.</summary>
    private SequencePosition Forward(ReadOnlySequence<byte> buffer, PipeWriter output, bool ended)
    {
        var reader = new SequenceReader<byte>(buffer);
        while (!reader.End)
        {
            switch (_state)
            {
                case State.Raw:
                    Write(output, reader.UnreadSequence);
                    reader.AdvanceToEnd();
                    break;
                case State.Body:
                case State.ChunkData:
                {
                    long take = Math.Min(_remaining, reader.Remaining);
                    Write(output, reader.UnreadSequence.Slice(0, take));
                    reader.Advance(take);
                    _remaining -= take;
                    if (_remaining == 0) _state = _state == State.Body ? State.Head : State.ChunkSize;
                    break;
                }
                case State.Head:
                {
                    if (!reader.TryReadTo(out ReadOnlySequence<byte> head, EndOfHead, advancePastDelimiter: true))
                    {
                        if (reader.Remaining <= MaxHead && !ended) return reader.Position;
                        _state = State.Raw; // not HTTP we can follow: Kestrel will say so
                        break;
                    }
                    WriteHead(output, head);
                    break;
                }
                case State.ChunkSize:
                case State.Trailers:
                {
                    if (!reader.TryReadTo(out ReadOnlySequence<byte> line, EndOfLine, advancePastDelimiter: true))
                    {
                        if (reader.Remaining <= MaxHead && !ended) return reader.Position;
                        _state = State.Raw;
                        break;
                    }
                    Write(output, line);
                    Write(output, EndOfLine);
                    if (_state == State.Trailers)
                    {
                        if (line.Length == 0) _state = State.Head;
                        break;
                    }
                    var text = Encoding.ASCII.GetString(line);
                    var semicolon = text.IndexOf(';', StringComparison.Ordinal);
                    if (!long.TryParse(semicolon < 0 ? text.Trim() : text[..semicolon].Trim(), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var size) || size < 0)
                    {
                        _state = State.Raw;
                        break;
                    }
                    if (size == 0)
                    {
                        _state = State.Trailers;
                    }
                    else
                    {
                        _remaining = size + 2; // the data and its CRLF
                        _state = State.ChunkData;
                    }
                    break;
                }
            }
        }
        return reader.Position;
    }

    /// <summary>Passes a request head on (rewritten for an upgrade with a body) and sets up reading its body.</summary>
    private void WriteHead(PipeWriter output, ReadOnlySequence<byte> head)
    {
        // Every request's head passes here: the headers are read as spans of one string, with no string per
        // line or header (the head is split into lines only for the rare upgrade with a body, below).
        var text = Encoding.Latin1.GetString(head);
        long length = 0;
        bool chunked = false, upgradeHeader = false, connectionUpgrade = false;
        var rest = text.AsSpan();
        int end = rest.IndexOf("\r\n", StringComparison.Ordinal);
        rest = end < 0 ? [] : rest[(end + 2)..]; // the request line
        while (!rest.IsEmpty)
        {
            end = rest.IndexOf("\r\n", StringComparison.Ordinal);
            var line = end < 0 ? rest : rest[..end];
            rest = end < 0 ? [] : rest[(end + 2)..];
            var colon = line.IndexOf(':');
            if (colon <= 0) continue;
            var name = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)) long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out length);
            else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)) chunked |= value.Contains("chunked", StringComparison.OrdinalIgnoreCase);
            else if (name.Equals("Upgrade", StringComparison.OrdinalIgnoreCase)) upgradeHeader = true;
            else if (name.Equals("Connection", StringComparison.OrdinalIgnoreCase)) connectionUpgrade |= HasToken(value, "upgrade");
        }
        bool upgrade = upgradeHeader && connectionUpgrade;
        if (upgrade && length > 0 && !chunked)
        {
            var lines = text.Split("\r\n");
            for (int i = 1; i < lines.Length; i++)
            {
                var colon = lines[i].IndexOf(':', StringComparison.Ordinal);
                if (colon > 0 && lines[i][..colon].Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                    lines[i] = $"{BodyLengthHeader}: {length.ToString(CultureInfo.InvariantCulture)}";
            }
            Write(output, Encoding.Latin1.GetBytes(string.Join("\r\n", lines)));
            Write(output, EndOfHead);
            _state = State.Raw; // the body, then whatever the upgraded connection carries
            _takenOver = true;
            return;
        }
        Write(output, head);
        Write(output, EndOfHead);
        _state = upgrade ? State.Raw : chunked ? State.ChunkSize : length > 0 ? State.Body : State.Head;
        _takenOver |= upgrade;
        _remaining = length;
    }

    /// <summary>Whether a comma-separated header value lists <paramref name="token"/> (case-insensitive).</summary>
    private static bool HasToken(ReadOnlySpan<char> value, string token)
    {
        foreach (var range in value.Split(','))
        {
            if (value[range].Trim().Equals(token, StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }

    private static void Write(PipeWriter output, ReadOnlySequence<byte> bytes)
    {
        foreach (var segment in bytes) output.Write(segment.Span);
    }

    private static void Write(PipeWriter output, ReadOnlySpan<byte> bytes) => output.Write(bytes);

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;
        public PipeWriter Output { get; } = output;
    }
}
