using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Plexus.Cli.Tests.Support;

/// <summary>One request as the fake daemon saw it; <see cref="RawTarget"/> is the path and query exactly as sent, still escaped.</summary>
internal sealed record RecordedRequest(string Method, string Path, string Query, string Body, string RawTarget, string Accept = "");

/// <summary>
/// A stand-in for plexusd: Kestrel on a Unix socket in a temporary directory, answering canned responses
/// per "METHOD /path" and recording every request, so tests see exactly what the CLI sent.
/// Unknown routes answer 404 {"message":"page not found: ..."} as the daemon does.
/// </summary>
internal sealed class FakeDaemon : IAsyncDisposable
{
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly ConcurrentDictionary<string, (int Status, byte[] Body, string ContentType)> _routes = new(StringComparer.Ordinal);
    private readonly string _directory;
    private WebApplication? _app;

    private FakeDaemon()
    {
        // Short: a Unix socket path must fit in 108 bytes.
        _directory = Path.Combine(Path.GetTempPath(), "pxc-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(_directory);
        SocketPath = Path.Combine(_directory, "d.sock");
    }

    public string SocketPath { get; }

    public string Host => "unix://" + SocketPath;

    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    public static async Task<FakeDaemon> StartAsync()
    {
        var daemon = new FakeDaemon();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.ListenUnixSocket(daemon.SocketPath));
        var app = builder.Build();
        app.Run(daemon.HandleAsync);
        await app.StartAsync();
        daemon._app = app;
        return daemon;
    }

    /// <summary>Answer "METHOD /path" (the path as sent, with its /v1.45 prefix) with this status and body.</summary>
    public FakeDaemon On(string method, string path, int status, string body = "", string contentType = "application/json") =>
        On(method, path, status, System.Text.Encoding.UTF8.GetBytes(body), contentType);

    /// <summary>Answer with these exact bytes (a binary stream).</summary>
    public FakeDaemon On(string method, string path, int status, byte[] body, string contentType)
    {
        _routes[$"{method} {path}"] = (status, body, contentType);
        return this;
    }

    /// <summary>Runs `plexus ARGS` against this daemon (-H pointing at its socket).</summary>
    public Task<CliResult> RunAsync(params string[] args) => PlexusCli.RunAsync(["-H", Host, .. args]);

    public Task<CliResult> RunWithInputAsync(string input, params string[] args) => PlexusCli.RunAsync(["-H", Host, .. args], input: input);

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        var path = context.Request.Path.Value ?? "";
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? "";
        _requests.Enqueue(new RecordedRequest(context.Request.Method, path, context.Request.QueryString.Value ?? "", body, rawTarget, context.Request.Headers.Accept.ToString()));
        if (!_routes.TryGetValue($"{context.Request.Method} {path}", out var reply))
            reply = (404, System.Text.Encoding.UTF8.GetBytes($"{{\"message\":\"page not found: {context.Request.Method} {path}\"}}"), "application/json");
        context.Response.StatusCode = reply.Status;
        if (reply.Body.Length > 0)
        {
            context.Response.ContentType = reply.ContentType;
            await context.Response.Body.WriteAsync(reply.Body);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // best effort: a temp directory
        }
    }
}
