using Plexus.Api;
using System.Text.Json;
using Plexus.Engine.Model;

namespace Plexus.Daemon.Api;

/// <summary>
/// Every failure answers as Docker does: a status code and {"message": "..."}. Bad input of any kind (a body
/// too large, not JSON, of the wrong shape, or with values the engine refuses) is a 4xx that says what was
/// wrong and where; 500 is kept for the kernel or the store failing.
/// </summary>
internal static partial class ErrorHandling
{
    public static int StatusOf(ErrorKind kind) => kind switch
    {
        ErrorKind.InvalidArgument => 400,
        ErrorKind.NotFound => 404,
        ErrorKind.Conflict => 409,
        ErrorKind.Forbidden => 403,
        _ => 500,
    };

    /// <summary>
    /// The minimal API answers a body it cannot bind with a bare status and no message; asked to throw instead,
    /// it lets <see cref="UseDockerErrors"/> say what was wrong. Kestrel's own body limit stays as a backstop.
    /// </summary>
    public static IServiceCollection AddDockerErrors(this IServiceCollection services)
    {
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        // ASP.NET's web defaults read "60" as 60; Docker (Go) refuses a string where a number belongs, and so do we.
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict);
        RequestBodyLimit.AddKestrelBackstop(services);
        return services;
    }

    /// <summary>
    /// Turns exceptions into Docker's error answers. The content type must be exactly application/json:
    /// the docker client decodes {"message"} only then, and would otherwise print the raw body.
    /// </summary>
    public static void UseDockerErrors(this WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("plexusd.api");
        app.Use(async (context, next) =>
        {
            try
            {
                RequestBodyLimit.Apply(context);
                await next(context);
            }
            catch (Exception error) when (!context.Response.HasStarted)
            {
                var (status, message) = Describe(error, context.Request);
                if (status >= 500) LogFailure(logger, context.Request.Method, context.Request.Path, error);
                await WriteError(context, status, message);
            }
        });
        // Answers the routing gives without a body (no such path, a method the path does not take) get one.
        app.UseStatusCodePages(context =>
        {
            var http = context.HttpContext;
            if (http.Response.HasStarted || http.Response.StatusCode < 400) return Task.CompletedTask;
            var (status, message) = http.Response.StatusCode switch
            {
                404 => (404, $"page not found: {http.Request.Method} {http.Request.Path}"),
                405 => (405, $"method not allowed: {http.Request.Method} {http.Request.Path}"),
                // The minimal API refuses a body that is not JSON with a bare 415; Docker says 400, and why.
                415 => (400, UnsupportedContentType(http.Request)),
                var other => (other, $"{http.Request.Method} {http.Request.Path}: {ReasonOf(other)}"),
            };
            return WriteError(http, status, message);
        });
    }

    internal static (int Status, string Message) Describe(Exception error, HttpRequest request) => error switch
    {
        // The cluster store (etcd) did not answer in time: a global operation failed fast; local ones are unaffected.
        PlexusException { InnerException: Engine.Store.GlobalStoreUnavailableException } p => (503, p.Message),
        Engine.Store.GlobalStoreUnavailableException g => (503, g.Message),
        PlexusException p => (StatusOf(p.Kind), p.Message),
        RequestTooLargeException t => (413, t.Message),
        BadHttpRequestException { InnerException: RequestTooLargeException t } => (413, t.Message),
        BadHttpRequestException { InnerException: JsonException j } => (400, JsonErrors.Describe(j, BodyTypeOf(request))),
        // Docker's words (CheckForJSON), and its status: 400, where ASP.NET would say 415.
        BadHttpRequestException { StatusCode: 415 } => (400, UnsupportedContentType(request)),
        BadHttpRequestException { StatusCode: 413 } => (413, RequestTooLargeException.Of(request.ContentLength).Message),
        BadHttpRequestException b when b.StatusCode < 500 => (b.StatusCode, MissingBody(b, request)),
        JsonException j => (400, JsonErrors.Describe(j, BodyTypeOf(request))),
        Kernel.KernelException k => (500, k.Message),
        _ => (500, error.Message),
    };

    private static string UnsupportedContentType(HttpRequest request) =>
        $"unsupported Content-Type header ({(request.ContentType is { Length: > 0 } type ? type : "none")}): must be 'application/json'";

    /// <summary>The type the endpoint reads its body as (the minimal API records it), to say what a field takes.</summary>
    private static Type? BodyTypeOf(HttpRequest request) =>
        request.HttpContext.GetEndpoint()?.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IAcceptsMetadata>()?.RequestType;

    /// <summary>A body that is absent, empty or the JSON literal null: the minimal API's words name its own parameter.</summary>
    private static string MissingBody(BadHttpRequestException error, HttpRequest request) =>
        error.Message.Contains("body", StringComparison.OrdinalIgnoreCase)
            ? $"the request body is {(request.ContentLength is 0 or null ? "empty" : "null")}: {request.Method} {request.Path} takes a JSON object"
            : error.Message;

    private static string ReasonOf(int status) =>
        Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } reason ? reason.ToLowerInvariant() : $"status {status}";

    private static async Task WriteError(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, new ErrorJson(message), DaemonJson.Relaxed.ErrorJson);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} {Path} failed")]
    private static partial void LogFailure(ILogger logger, string method, string path, Exception error);
}
