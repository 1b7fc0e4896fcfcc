using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Plexus.Api;
using Plexus.Daemon.Hosting;
using Plexus.Daemon.Http;
using Plexus.Engine.Controller;
using Plexus.Engine.Model;

namespace Plexus.Daemon.Api;

/// <summary>
/// Docker's exec: POST /containers/{id}/exec makes an instance, POST /exec/{id}/start runs it in the
/// sandbox (detached, or with its output in the multiplexed stream on the taken-over connection, as
/// `docker exec` expects), GET /exec/{id}/json tells whether it runs and how it ended.
/// </summary>
internal static class ExecEndpoints
{
    private const string RawStream = "application/vnd.docker.raw-stream";

    /// <summary>A start request's body is a few bytes of JSON; more is not a start request.</summary>
    private const int MaxStartBody = 64 * 1024;

    public static void Map(ApiRoutes routes)
    {
        routes.Post("/containers/{id}/exec", DaemonJson.Relaxed.ExecCreateJson, (call, body) =>
        {
            var (c, id, sessions) = (call.Controller, call.RouteValue, call.Services.ExecSessions);
            var sandbox = ContainersEndpoints.Find(c, id);
            if (body.Cmd is not { Count: > 0 }) throw PlexusException.Invalid("No exec command specified");
            if (body.Tty) throw PlexusException.Invalid("plexusd runs exec without a terminal: drop -t (--tty)");
            if (body.User is { Length: > 0 } user && user is not ("root" or "0" or "root:root" or "0:0"))
                throw PlexusException.Invalid($"plexusd runs exec as root; user '{user}' cannot be chosen (drop --user)");
            if (!ContainerMapping.IsRunning(sandbox)) throw PlexusException.Conflict($"container {sandbox.Id} is not running");
            var session = sessions.Create(sandbox.Id, body);
            return Answer.Json(new IdResponseJson(session.Id), DaemonJson.Relaxed.IdResponseJson, statusCode: StatusCodes.Status201Created);
        });

        routes.PostAsync("/exec/{id}/start", call => Start(call.RouteValue, call.Http, call.Services.ExecSessions));

        routes.Get("/exec/{id}/json", call =>
            Answer.Json(call.Services.ExecSessions.Get(call.RouteValue).ToJson(), DaemonJson.Relaxed.ExecInspectJson));
    }

    private static async Task Start(string id, HttpContext http, ExecSessions sessions)
    {
        var session = sessions.Get(id);
        var upgrade = http.Features.Get<IHttpUpgradeFeature>();
        if (upgrade is { IsUpgradableRequest: true })
        {
            await StartTakenOver(http, upgrade, session, sessions);
            return;
        }
        var options = await ReadOptions(http);
        if (options.Tty) throw PlexusException.Invalid("plexusd runs exec without a terminal: drop -t (--tty)");
        if (options.Detach)
        {
            using var detached = sessions.Start(session, attach: false);
            _ = Drain(detached.StandardOutput.BaseStream);
            _ = Drain(detached.StandardError.BaseStream);
            http.Response.StatusCode = StatusCodes.Status200OK;
            return;
        }
        using var process = sessions.Start(session, attach: true);
        http.Response.ContentType = RawStream; // Docker's type here, with the same frames
        await http.Response.StartAsync(http.RequestAborted);
        await Relay(process, http.Response.Body, null, session.Request);
    }

    /// <summary>
    /// `docker exec`: the client takes the connection over. Docker answers 101 with the stream's type, then
    /// uses the raw connection; the start options (the request's body) are its first bytes (see
    /// <see cref="UpgradeWithBody"/>). What goes wrong after the 101 is written into the stream, as Docker does.
    /// </summary>
    private static async Task StartTakenOver(HttpContext http, IHttpUpgradeFeature upgrade, ExecSession session, ExecSessions sessions)
    {
        int length = 0;
        if (http.Request.Headers[UpgradeWithBody.BodyLengthHeader] is [{ } text] && !int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out length))
            throw PlexusException.Invalid($"invalid {UpgradeWithBody.BodyLengthHeader} '{text}'");
        if (length > MaxStartBody) throw PlexusException.Invalid($"exec start options of {length} bytes: at most {MaxStartBody} are accepted");
        if (session.Started)
            throw PlexusException.Conflict(session.ExitCode is null ? $"exec command {session.Id} is already running" : $"exec command {session.Id} has already run");
        http.Response.Headers.ContentType = ContainerLogs.MultiplexedStream;
        http.Response.Headers.Upgrade = "tcp";
        await using var stream = await upgrade.UpgradeAsync();
        var body = new byte[length];
        await stream.ReadExactlyAsync(body);
        Process process;
        try
        {
            var options = body.Length == 0 ? new ExecStartJson() : JsonSerializer.Deserialize(body, DaemonJson.Relaxed.ExecStartJson) ?? new ExecStartJson();
            if (options.Tty) throw PlexusException.Invalid("plexusd runs exec without a terminal: drop -t (--tty)");
            process = sessions.Start(session, attach: !options.Detach);
            if (options.Detach)
            {
                _ = Drain(process.StandardOutput.BaseStream);
                _ = Drain(process.StandardError.BaseStream);
                process.Dispose();
                return;
            }
        }
        catch (Exception e) when (e is PlexusException or JsonException)
        {
            await WriteFrame(stream, 1, System.Text.Encoding.UTF8.GetBytes(e.Message + "\r\n"));
            return;
        }
        using (process) await Relay(process, stream, session.Request.AttachStdin ? stream : null, session.Request);
    }

    private static async Task WriteFrame(Stream output, byte kind, byte[] payload)
    {
        var frame = new byte[payload.Length + ExecStream.HeaderLength];
        ExecStream.WriteHeader(frame, kind, payload.Length);
        payload.CopyTo(frame, ExecStream.HeaderLength);
        await output.WriteAsync(frame);
        await output.FlushAsync();
    }

    /// <summary>The start options of a request that is not taken over.</summary>
    private static async Task<ExecStartJson> ReadOptions(HttpContext http)
    {
        byte[] body;
        {
            using var copy = new MemoryStream();
            var buffer = new byte[4096];
            int n;
            while ((n = await http.Request.Body.ReadAsync(buffer, http.RequestAborted)) > 0)
            {
                if (copy.Length + n > MaxStartBody) throw PlexusException.Invalid($"exec start options: at most {MaxStartBody} bytes are accepted");
                copy.Write(buffer, 0, n);
            }
            body = copy.ToArray();
        }
        return body.Length == 0 ? new ExecStartJson() : JsonSerializer.Deserialize(body, DaemonJson.Relaxed.ExecStartJson) ?? new ExecStartJson();
    }

    /// <summary>
    /// Copies stdout and stderr as multiplexed frames (type 1 and 2) until the command ends, through the same pump
    /// as `plexus exec` but without a deadline, and feeds stdin when attached. A client that leaves does not stop
    /// the command (as in Docker): its output is still read, and dropped.
    /// </summary>
    private static async Task Relay(Process process, Stream output, Stream? input, ExecCreateJson request)
    {
        if (input is not null) _ = Feed(input, process.StandardInput.BaseStream);
        using var frames = new ExecFrameWriter(output, CancellationToken.None, outliveClient: true);
        await ProcessOutputPump.RunAsync(process, timeout: null, (stream, chunk, ct) =>
            (stream == ExecStream.Stdout ? request.AttachStdout : request.AttachStderr) ? frames.WriteAsync(stream, chunk, ct) : ValueTask.CompletedTask,
            CancellationToken.None);
    }

    private static async Task Feed(Stream from, Stream stdin)
    {
        try
        {
            await from.CopyToAsync(stdin);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
        }
        finally
        {
            try
            {
                stdin.Close();
            }
            catch (IOException)
            {
            }
        }
    }

    private static async Task Drain(Stream from)
    {
        try
        {
            await from.CopyToAsync(Stream.Null);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
        }
    }
}
