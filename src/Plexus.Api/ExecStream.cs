using System.Buffers.Binary;

namespace Plexus.Api;

/// <summary>
/// An exec's output as it is written (POST /plexus/sandboxes/{id}/exec with Accept: <see cref="MediaType"/>):
/// Docker's multiplexed framing, an 8-byte header (kind, three zero bytes, payload length as big-endian
/// uint32) then the payload. Kinds 1 and 2 are stdout and stderr as in Docker, 3 an error message from the
/// daemon (the command timed out and was killed), and the last frame, kind 4, the <see cref="ExecResultJson"/>
/// (exit code; no output).
/// </summary>
public static class ExecStream
{
    public const string MediaType = "application/vnd.plexus.exec-stream";

    public const byte Stdout = 1;
    public const byte Stderr = 2;
    public const byte Error = 3;
    public const byte Result = 4;

    public const int HeaderLength = 8;

    /// <summary>The largest payload one frame carries: readers may refuse more.</summary>
    public const int MaxPayload = 1024 * 1024;

    public static void WriteHeader(Span<byte> header, byte kind, int length)
    {
        if (header.Length < HeaderLength) throw new ArgumentException("a frame header has 8 bytes", nameof(header));
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        header[0] = kind;
        header[1] = header[2] = header[3] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(header[4..], (uint)length);
    }

    /// <summary>Reads a header: the kind and the payload's length; false at a clean end of the stream.</summary>
    public static async Task<(byte Kind, int Length)?> ReadHeaderAsync(Stream stream, byte[] header, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(header);
        int got = 0;
        while (got < HeaderLength)
        {
            int n = await stream.ReadAsync(header.AsMemory(got, HeaderLength - got), ct);
            if (n == 0)
            {
                if (got == 0) return null;
                throw new InvalidDataException("the exec stream ended inside a frame header");
            }
            got += n;
        }
        uint length = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(4));
        if (length > MaxPayload) throw new InvalidDataException($"an exec stream frame of {length} bytes is larger than {MaxPayload}");
        return (header[0], (int)length);
    }
}
