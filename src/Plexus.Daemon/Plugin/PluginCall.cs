using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Plexus.Engine.Model;

namespace Plexus.Daemon.Plugin;

/// <summary>Which protocol a method belongs to: it decides the shape of its errors.</summary>
internal enum PluginProtocol
{
    Plugin,
    NetworkDriver,
    IpamDriver,
}

/// <summary>
/// One plugin call: reads the JSON body and writes the answer, with Docker's plugin media type. Failures are
/// answered as Docker's plugin client reads them (pkg/plugins: a non-2xx answer's Err is the error text): 400
/// for a body that is not the method's JSON, 500 for an operation that failed (as Docker's plugin helpers
/// answer), in the protocol's error shape; never 404, which Docker takes for "method not implemented" and, for
/// ProgramExternalConnectivity, ignores.
/// </summary>
internal sealed partial class PluginCall(HttpContext context, PluginProtocol protocol, ILogger logger)
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "plugin: {Method} {Body}")]
    private static partial void LogRequest(ILogger logger, string method, string body);

    /// <summary>What Docker sends and accepts (v1.2; older clients said v1.1 and read the same JSON).</summary>
    public const string MediaType = "application/vnd.docker.plugins.v1.2+json";

    public HttpContext Context => context;

    /// <summary>
    /// The body as <typeparamref name="T"/>. An empty body is refused saying why it happens: Docker's plugin client
    /// sends the body once, and a call it retries after losing the connection (plexusd restarting) arrives empty.
    /// </summary>
    public async Task<T> ReadAsync<T>(JsonTypeInfo<T> type) where T : class
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        var method = context.Request.Path.Value?.TrimStart('/');
        if (logger.IsEnabled(LogLevel.Debug))
        {
            var body = System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
            LogRequest(logger, method ?? "", body);
        }
        if (buffer.Length == 0)
            throw new PluginBadRequest($"the request body of {method} is empty: dockerd sends an empty body when it retries a call after losing the connection (plexusd was restarting); retry the docker command");
        buffer.Position = 0;
        try
        {
            return JsonSerializer.Deserialize(buffer, type)
                ?? throw new PluginBadRequest($"the request body of {method} is JSON null, not the method's object");
        }
        catch (JsonException e)
        {
            throw new PluginBadRequest($"the request body is not valid JSON for {method}: {e.Message}");
        }
    }

    public Task WriteAsync<T>(T answer, JsonTypeInfo<T> type, int status = StatusCodes.Status200OK)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = MediaType;
        return JsonSerializer.SerializeAsync(context.Response.Body, answer, type, context.RequestAborted);
    }

    public Task OkAsync() => WriteAsync(new Empty(), PluginJson.Default.Empty);

    public Task FailAsync(int status, string message) => protocol == PluginProtocol.IpamDriver
        ? WriteAsync(new IpamError(message, message), PluginJson.Default.IpamError, status)
        : WriteAsync(new NetworkError(message), PluginJson.Default.NetworkError, status);

    /// <summary>A required field of the request; its absence is the request's fault.</summary>
    public static string Required(string? value, string field) =>
        string.IsNullOrEmpty(value) ? throw new PluginBadRequest($"the request has no {field}") : value;
}

/// <summary>A request that cannot be read as the method's JSON: 400.</summary>
internal sealed class PluginBadRequest(string message) : Exception(message);

/// <summary>Handlers by method name ("NetworkDriver.Join").</summary>
internal delegate Task PluginHandler(PluginCall call);

internal static class PluginFailures
{
    /// <summary>Engine errors keep their words: they name the object and the problem.</summary>
    public static string Message(Exception e) => e switch
    {
        PlexusException p => p.Message,
        FormatException f => f.Message,
        ArgumentException a => a.Message,
        _ => $"internal error: {e.Message}",
    };
}
