using System.Buffers;
using System.Diagnostics;
using Plexus.Api;

namespace Plexus.Daemon.Api;

/// <summary>
/// Runs a started process (stdout and stderr redirected) to its end or its deadline and hands its output,
/// chunk by chunk, to a sink as it is read: the one relay of both execs (`plexus exec`, `docker exec`).
/// Nothing here keeps output: the daemon's memory does not grow with what a command writes (the sink decides
/// what to keep or send on).
/// </summary>
internal static class ProcessOutputPump
{
    private const int ChunkBytes = 16 * 1024;

    /// <summary>After a kill, how long the pipes are still read for what the process wrote before it died.</summary>
    private static readonly TimeSpan DrainAfterKill = TimeSpan.FromSeconds(5);

    /// <summary>Gets each chunk with its stream (<see cref="ExecStream.Stdout"/> or <see cref="ExecStream.Stderr"/>).</summary>
    public delegate ValueTask Sink(byte stream, ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken);

    public readonly record struct Outcome(int ExitCode, bool TimedOut, bool Aborted);

    /// <param name="timeout">When the process is killed; null: never (docker exec runs as long as its command).</param>
    public static async Task<Outcome> RunAsync(Process process, TimeSpan? timeout, Sink sink, CancellationToken aborted)
    {
        using var deadline = new CancellationTokenSource(timeout ?? Timeout.InfiniteTimeSpan);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, aborted);
        using var stopPumps = new CancellationTokenSource();
        var pumps = Task.WhenAll(
            PumpAsync(process.StandardOutput.BaseStream, ExecStream.Stdout, sink, stopPumps.Token),
            PumpAsync(process.StandardError.BaseStream, ExecStream.Stderr, sink, stopPumps.Token));
        bool killed = false;
        try
        {
            await process.WaitForExitAsync(stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            Kill(process);
            killed = true;
        }
        try
        {
            // The pipes hold what was written just before the end. A child left running in the background may
            // keep them open: they are read until the command's own deadline, and no longer.
            if (killed) await pumps.WaitAsync(DrainAfterKill, aborted);
            else await pumps.WaitAsync(stop.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException)
        {
            // what was read is what the caller gets
        }
        await stopPumps.CancelAsync();
        try
        {
            // Cancelled reads end at once; the sink must see no chunk after this returns.
            await pumps.WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
        }
        catch (TimeoutException)
        {
        }
        return new Outcome(process.HasExited ? process.ExitCode : -1, killed && deadline.IsCancellationRequested, aborted.IsCancellationRequested);
    }

    private static async Task PumpAsync(Stream source, byte stream, Sink sink, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            int n;
            while ((n = await source.ReadAsync(buffer.AsMemory(0, ChunkBytes), ct)) > 0)
                await sink(stream, buffer.AsMemory(0, n), ct);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // stopped, or the reader (a client) went away
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
            // ended meanwhile
        }
    }
}
