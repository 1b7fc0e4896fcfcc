using Plexus.Api;
using Plexus.Daemon.Http;
using System.Globalization;
using Plexus.Engine.Controller;
using Plexus.Engine.Model;

namespace Plexus.Daemon.Api;

/// <summary>
/// GET /containers/{id}/logs: the main process's output in Docker's multiplexed stream (8-byte frame
/// headers), as `docker logs` and the SDKs read it for a container without a terminal. The process writes
/// stdout and stderr to one file, so everything comes as stdout; what Plexus does not keep (per-line times)
/// is refused rather than faked.
/// </summary>
internal static class ContainerLogs
{
    public const string MultiplexedStream = "application/vnd.docker.multiplexed-stream";

    public static async Task Write(ApiCall call)
    {
        var (c, http, id) = (call.Controller, call.Http, call.RouteValue);
        var (follow, stdout, stderr, since, until) = (call.Query("follow"), call.Query("stdout"), call.Query("stderr"), call.Query("since"), call.Query("until"));
        var (timestamps, tail, details) = (call.Query("timestamps"), call.Query("tail"), call.Query("details"));
        var sandbox = ContainersEndpoints.Find(c, id);
        bool wantOut = ContainersEndpoints.IsTrue(stdout), wantErr = ContainersEndpoints.IsTrue(stderr);
        if (!wantOut && !wantErr) throw PlexusException.Invalid("Bad parameters: you must choose at least one stream");
        if (!wantOut)
            throw PlexusException.Invalid("plexusd keeps a sandbox's stdout and stderr as one stream: ask for stdout (with or without stderr)");
        if (ContainersEndpoints.IsTrue(timestamps) || ContainersEndpoints.IsTrue(details))
            throw PlexusException.Invalid("plexusd keeps no per-line times or details for a sandbox's output: drop --timestamps and --details");
        if (since is { Length: > 0 } && since != "0" || until is { Length: > 0 } && until != "0")
            throw PlexusException.Invalid("plexusd keeps no per-line times for a sandbox's output: --since and --until cannot be applied");
        int? lastLines = tail is null or "" or "all" ? null
            : int.TryParse(tail, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n
            : throw PlexusException.Invalid($"invalid value for tail: {tail}");

        http.Response.ContentType = MultiplexedStream;
        var path = sandbox.State.Process?.LogPath;
        if (path is null || !File.Exists(path))
        {
            await http.Response.StartAsync(http.RequestAborted);
            return;
        }
        bool following = ContainersEndpoints.IsTrue(follow);
        await using var log = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        if (lastLines is { } count) log.Position = StartOfLastLines(log, count);
        var buffer = new byte[16384 + 8];
        await http.Response.StartAsync(http.RequestAborted);
        await CopyAsync(log, buffer.AsMemory(8), async read =>
        {
            ExecStream.WriteHeader(buffer, ExecStream.Stdout, read);
            await http.Response.Body.WriteAsync(buffer.AsMemory(0, read + 8), http.RequestAborted);
            if (following) await http.Response.Body.FlushAsync(http.RequestAborted);
        }, following, sandbox.Id, c, call.Services.Stopping, http.RequestAborted);
    }

    /// <summary>
    /// Reads a main process's log from where it stands into <paramref name="into"/> and hands each read to
    /// <paramref name="send"/>; with <paramref name="following"/>, on until the process has ended (docker logs -f) or
    /// the daemon begins to stop (<paramref name="stopping"/>: the stream ends then, rather than when the stop's grace does).
    /// </summary>
    internal static async Task CopyAsync(FileStream log, Memory<byte> into, Func<int, Task> send, bool following, string sandboxId,
        NetworkController c, CancellationToken stopping, CancellationToken ct)
    {
        bool ended = !following;
        while (!ct.IsCancellationRequested)
        {
            int read = await log.ReadAsync(into, ct);
            if (read > 0)
            {
                await send(read);
                continue;
            }
            if (ended) return;
            // At the end of what is written: a followed process that has ended gets one more read, for what it
            // wrote between that read and its exit; a running one is polled.
            if (!c.TryGetSandbox(sandboxId, out var current) || !ContainerMapping.IsRunning(current))
            {
                ended = true;
                continue;
            }
            if (stopping.IsCancellationRequested) return;
            await Task.Delay(100, ct);
        }
    }

    /// <summary>Where the last <paramref name="count"/> lines start (a final line without a newline counts).</summary>
    private static long StartOfLastLines(FileStream log, int count)
    {
        if (count <= 0) return log.Length;
        var block = new byte[8192];
        long end = log.Length;
        int newlines = 0;
        long position = end;
        bool skippedFinal = false;
        while (position > 0)
        {
            int size = (int)Math.Min(block.Length, position);
            position -= size;
            log.Position = position;
            log.ReadExactly(block, 0, size);
            for (int i = size - 1; i >= 0; i--)
            {
                if (block[i] != (byte)'\n') continue;
                if (!skippedFinal && position + i == end - 1)
                {
                    skippedFinal = true; // the newline that ends the last line
                    continue;
                }
                if (++newlines == count) return position + i + 1;
            }
        }
        return 0;
    }
}
