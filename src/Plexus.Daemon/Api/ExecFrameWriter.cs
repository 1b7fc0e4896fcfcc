using Plexus.Api;

namespace Plexus.Daemon.Api;

/// <summary>
/// Writes a command's output as 8-byte-header frames (<see cref="ExecStream"/>, Docker's multiplexed stream), one
/// frame at a time (stdout and stderr are read on two tasks), flushing each: Kestrel and the socket send as the
/// client reads, so a slow reader slows the command's writes, not the daemon's memory. Serves `plexus exec`
/// (framed response) and `docker exec` (taken-over connection).
/// </summary>
internal sealed class ExecFrameWriter(Stream output, CancellationToken aborted, bool outliveClient = false) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly byte[] _header = new byte[ExecStream.HeaderLength];
    private volatile bool _gone;

    /// <summary>
    /// Writes one frame. A client that went away makes it throw, unless <c>outliveClient</c>: then (as Docker's exec,
    /// whose command runs on) later frames are dropped, and the pump keeps reading so the command never blocks on a
    /// full pipe.
    /// </summary>
    public async ValueTask WriteAsync(byte kind, ReadOnlyMemory<byte> payload, CancellationToken ct)
    {
        if (_gone) return;
        using var both = CancellationTokenSource.CreateLinkedTokenSource(ct, aborted);
        await _gate.WaitAsync(both.Token);
        try
        {
            ExecStream.WriteHeader(_header, kind, payload.Length);
            await output.WriteAsync(_header, both.Token);
            await output.WriteAsync(payload, both.Token);
            await output.FlushAsync(both.Token);
        }
        catch (Exception e) when (outliveClient && e is IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            _gone = true;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();
}
