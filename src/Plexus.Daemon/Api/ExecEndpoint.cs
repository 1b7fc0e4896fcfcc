using System.Globalization;
using System.Text;
using System.Text.Json;
using Plexus.Api;
using Plexus.Daemon.Http;
using Plexus.Engine.Controller;
using Plexus.Engine.Model;

namespace Plexus.Daemon.Api;

/// <summary>
/// POST /plexus/sandboxes/{id}/exec: a command in the sandbox, with the sandbox's capabilities (or all, with
/// Privileged). A client that accepts <see cref="ExecStream.MediaType"/> (the plexus CLI) gets the output as
/// it is written, framed, however much there is. Any other gets one JSON answer that keeps the first
/// <see cref="RequestLimits.MaxExecOutputBytes"/> of each stream and marks the cut: either way the daemon
/// holds a bounded amount of a command's output, not all of it.
/// </summary>
internal static class ExecEndpoint
{
    private const int DefaultTimeoutSeconds = 60;

    public static void Map(ApiRoutes routes) =>
        routes.PostAsync("/plexus/sandboxes/{id}/exec", DaemonJson.Relaxed.ExecJson, (call, body) => RunAsync(call.RouteValue, body, call.Controller, call.Http));

    private static async Task RunAsync(string id, ExecJson body, NetworkController c, HttpContext http)
    {
        if (body.Cmd is not { Count: > 0 } cmd) throw PlexusException.Invalid("invalid command (Cmd): no command given to exec");
        RequestValidation.Command(cmd);
        var env = SandboxesEndpoints.Entries(body.Env, "environment variable (Env, -e)");
        int timeout = RequestValidation.ExecTimeout(body.Timeout, DefaultTimeoutSeconds);
        bool streamed = http.Request.Headers.Accept.Any(a => a is not null && a.Contains(ExecStream.MediaType, StringComparison.OrdinalIgnoreCase));

        using var process = c.StartProcess(id, cmd, psi =>
        {
            psi.RedirectStandardOutput = true;
            psi.RedirectStandardError = true;
            foreach (var e in env) SandboxesEndpoints.SetEnv(psi, e);
        }, privileged: body.Privileged == true);
        var timedOutMessage = $"exec of {RequestValidation.Show(cmd[0])} in sandbox {id} did not finish in {timeout.ToString(CultureInfo.InvariantCulture)} s and was killed";

        if (streamed)
        {
            http.Response.StatusCode = 200;
            http.Response.ContentType = ExecStream.MediaType;
            await http.Response.StartAsync(http.RequestAborted);
            using var frames = new ExecFrameWriter(http.Response.Body, http.RequestAborted);
            var outcome = await ProcessOutputPump.RunAsync(process, TimeSpan.FromSeconds(timeout), frames.WriteAsync, http.RequestAborted);
            if (outcome.Aborted) return;
            try
            {
                if (outcome.TimedOut) await frames.WriteAsync(ExecStream.Error, Encoding.UTF8.GetBytes(timedOutMessage), http.RequestAborted);
                await frames.WriteAsync(ExecStream.Result,
                    JsonSerializer.SerializeToUtf8Bytes(new ExecResultJson(outcome.ExitCode, ""), DaemonJson.Relaxed.ExecResultJson), http.RequestAborted);
            }
            catch (Exception gone) when (gone is OperationCanceledException or IOException)
            {
                // the client went away between the last output and the exit code
            }
            return;
        }

        using var stdout = new KeptOutput();
        using var stderr = new KeptOutput();
        var result = await ProcessOutputPump.RunAsync(process, TimeSpan.FromSeconds(timeout), (stream, chunk, _) =>
        {
            (stream == ExecStream.Stdout ? stdout : stderr).Add(chunk.Span);
            return ValueTask.CompletedTask;
        }, http.RequestAborted);
        if (result.Aborted) return;
        if (result.TimedOut) throw PlexusException.Conflict(timedOutMessage);
        var (o, e) = (stdout.Text("stdout"), stderr.Text("stderr"));
        var json = new ExecResultJson(result.ExitCode, o + e) { Stdout = o, Stderr = e, Truncated = stdout.Truncated || stderr.Truncated };
        http.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(http.Response.Body, json, DaemonJson.Relaxed.ExecResultJson, http.RequestAborted);
    }

    /// <summary>The first <see cref="RequestLimits.MaxExecOutputBytes"/> of a stream, and how much there was in all.</summary>
    private sealed class KeptOutput : IDisposable
    {
        private readonly MemoryStream _kept = new();
        private long _total;

        public bool Truncated => _total > _kept.Length;

        public void Add(ReadOnlySpan<byte> chunk)
        {
            _total += chunk.Length;
            int room = RequestLimits.MaxExecOutputBytes - (int)_kept.Length;
            if (room > 0) _kept.Write(chunk[..Math.Min(room, chunk.Length)]);
        }

        public string Text(string name)
        {
            var text = Encoding.UTF8.GetString(_kept.GetBuffer(), 0, (int)_kept.Length);
            return !Truncated ? text
                : text + $"\n[plexus: {name} truncated: the command wrote {_total.ToString(CultureInfo.InvariantCulture)} bytes, the first {_kept.Length.ToString(CultureInfo.InvariantCulture)} are kept; `plexus exec` streams all of it]\n";
        }

        public void Dispose() => _kept.Dispose();
    }
}
