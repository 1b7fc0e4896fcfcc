using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;
using Plexus.Daemon.Api;
using Plexus.Daemon.Hosting;

namespace Plexus.Daemon.Http;

/// <summary>
/// Kestrel on plexusd's Unix sockets, made by hand: the server, its socket transport and the application that
/// routes requests, with no generic host, dependency injection, routing middleware or minimal-API binding. Those
/// were most of an empty daemon's start-up CPU (the container building generic types at run time, the routing
/// matcher built at the first request) and a fifth of an attach's; Kestrel's HTTP/1.1 is what is kept.
/// </summary>
internal sealed class ApiServer(string socket, string? pluginSocket, ILoggerFactory logs) : IAsyncDisposable
{
    private readonly KestrelServer _server = Build(socket, pluginSocket, logs);

    private static KestrelServer Build(string socket, string? pluginSocket, ILoggerFactory logs)
    {
        var options = new KestrelServerOptions { AddServerHeader = false };
        options.Limits.MaxRequestBodySize = RequestBodyLimit.KestrelBackstop;
        options.ListenUnixSocket(socket, l =>
        {
            l.Protocols = HttpProtocols.Http1;
            l.Use(UpgradeWithBody.Wrap); // docker exec takes over a connection whose request has a body
        });
        if (pluginSocket is not null)
        {
            options.ListenUnixSocket(pluginSocket, l =>
            {
                l.Protocols = HttpProtocols.Http1;
                l.Use(Plugin.PluginEndpoints.MarkConnections);
            });
        }
        // Inline scheduling: a request is read, served and its answer sent on the thread pool thread that took the
        // socket's readiness from .NET's socket engine (never its epoll thread, which only queues the events), instead
        // of hopping through Kestrel's I/O queues once for the request and once more for the answer's send. Blocking
        // engine calls then hold that pool thread, as they held the I/O queue's before; the engine hands further
        // readiness events to other pool threads.
        var transport = new SocketTransportFactory(Options.Create(new SocketTransportOptions { UnsafePreferInlineScheduling = true }), logs);
        return new KestrelServer(Options.Create(options), transport, logs);
    }

    public Task StartAsync(IHttpApplication<HttpContext> application) => _server.StartAsync(application, CancellationToken.None);

    /// <summary>Stops taking connections, lets requests in flight finish for up to <paramref name="grace"/>, then closes the rest (streams).</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        using var timeout = new CancellationTokenSource(grace);
        await _server.StopAsync(timeout.Token);
    }

    public ValueTask DisposeAsync()
    {
        _server.Dispose();
        return ValueTask.CompletedTask;
    }
}
