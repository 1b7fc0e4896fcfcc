using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Plexus.Engine.Controller;
using Plexus.Engine.Model;

namespace Plexus.Daemon.Plugin;

/// <summary>
/// Docker's legacy plugin protocol on plexusd's plugin socket (/run/docker/plugins/plexus.sock, where dockerd finds a
/// plugin named "plexus"): POST /Plugin.Activate, then /NetworkDriver.* and /IpamDriver.* with JSON bodies. The
/// socket is a second listener of the daemon's server; requests that arrive on it come here only, so the
/// Docker API's routes, versions and errors never see them, and the API socket does not serve the plugin.
/// </summary>
internal static partial class PluginEndpoints
{
    /// <summary>The name Docker knows the plugin by: `-d plexus`, `--ipam-driver plexus`.</summary>
    public const string Name = "plexus";

    public const string DefaultSocket = "/run/docker/plugins/plexus.sock";

    [LoggerMessage(Level = LogLevel.Debug, Message = "plugin: {Method} {Status}")]
    private static partial void LogCall(ILogger logger, string method, int status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "plugin: {Method} failed: {Error}")]
    private static partial void LogFailure(ILogger logger, string method, string error);

    /// <summary>What answers the plugin socket's requests (<see cref="Http.ApiApplication"/> sends them here).</summary>
    public static Func<HttpContext, Task> Dispatcher(Hosting.DaemonServices services)
    {
        var logger = services.Logs.CreateLogger("plexus.plugin");
        // Built at the first call: the engine's services wait for the engine to open (restore).
        var handlers = new Lazy<Dictionary<string, PluginHandler>>(() => Handlers(services.Controller, services.PluginIpam));
        return context => Dispatch(context, handlers, logger);
    }

    /// <summary>The mark <see cref="MarkConnections"/> puts on the plugin socket's connections.</summary>
    private const string ConnectionMark = "plexus.plugin";

    /// <summary>Kestrel connection middleware for the plugin socket's listener: marks its connections, so requests on them take the plugin's branch.</summary>
    public static ConnectionDelegate MarkConnections(ConnectionDelegate next) => connection =>
    {
        connection.Items[ConnectionMark] = true;
        return next(connection);
    };

    public static bool IsPluginConnection(HttpContext context) =>
        context.Features.Get<IConnectionItemsFeature>()?.Items.ContainsKey(ConnectionMark) == true;

    private static Dictionary<string, PluginHandler> Handlers(NetworkController controller, PluginIpam ipam)
    {
        var handlers = new Dictionary<string, PluginHandler>(StringComparer.Ordinal)
        {
            ["Plugin.Activate"] = call => call.WriteAsync(new ActivateResponse(["NetworkDriver", "IpamDriver"]), PluginJson.Default.ActivateResponse),
        };
        NetworkDriverEndpoints.Register(handlers, controller, ipam);
        IpamDriverEndpoints.Register(handlers, ipam);
        return handlers;
    }

    private static async Task Dispatch(HttpContext context, Lazy<Dictionary<string, PluginHandler>> handlers, ILogger logger)
    {
        var method = context.Request.Path.Value?.TrimStart('/') ?? "";
        var protocol = method.StartsWith("IpamDriver.", StringComparison.Ordinal) ? PluginProtocol.IpamDriver
            : method.StartsWith("NetworkDriver.", StringComparison.Ordinal) ? PluginProtocol.NetworkDriver : PluginProtocol.Plugin;
        var call = new PluginCall(context, protocol, logger);
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            await call.FailAsync(StatusCodes.Status405MethodNotAllowed, $"plugin calls are POST requests, not {context.Request.Method}");
            return;
        }
        if (!handlers.Value.TryGetValue(method, out var handler))
        {
            // Docker reads 404 as "not implemented by this plugin".
            await call.FailAsync(StatusCodes.Status404NotFound, $"plugin method {method} is not implemented by Plexus");
            return;
        }
        try
        {
            await handler(call);
            LogCall(logger, method, context.Response.StatusCode);
        }
        catch (PluginBadRequest e)
        {
            LogFailure(logger, method, e.Message);
            await call.FailAsync(StatusCodes.Status400BadRequest, e.Message);
        }
        catch (Exception e) when (e is PlexusException or FormatException or ArgumentException or Kernel.KernelException or IOException)
        {
            LogFailure(logger, method, e.Message);
            if (!context.Response.HasStarted) await call.FailAsync(StatusCodes.Status500InternalServerError, PluginFailures.Message(e));
        }
    }
}
