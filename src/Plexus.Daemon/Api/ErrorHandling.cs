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

    internal static (int Status, string Message) Describe(Exception error, HttpRequest request) => error switch
    {
        // The cluster store (etcd) did not answer in time: a global operation failed fast; local ones are unaffected.
        PlexusException { InnerException: Engine.Store.GlobalStoreUnavailableException } p => (503, p.Message),
        Engine.Store.GlobalStoreUnavailableException g => (503, g.Message),
        PlexusException p => (StatusOf(p.Kind), p.Message),
        RequestTooLargeException t => (413, t.Message),
        // Kestrel's own limit (the backstop), or a body that ended before its length.
        BadHttpRequestException { StatusCode: 413 } => (413, RequestTooLargeException.Of(request.ContentLength).Message),
        BadHttpRequestException b when b.StatusCode < 500 => (b.StatusCode, b.Message),
        // A body an endpoint reads itself (ApiCall.ReadBodyAsync says where and what a field takes).
        JsonException j => (400, JsonErrors.Describe(j, null)),
        Kernel.KernelException k => (500, k.Message),
        _ => (500, error.Message),
    };

    /// <summary>Docker's words (CheckForJSON), and its status: 400, where ASP.NET would say 415.</summary>
    internal static string UnsupportedContentType(HttpRequest request) =>
        $"unsupported Content-Type header ({(request.ContentType is { Length: > 0 } type ? type : "none")}): must be 'application/json'";

    /// <summary>
    /// Docker's error answer. The content type must be exactly application/json: the docker client decodes
    /// {"message"} only then, and would otherwise print the raw body.
    /// </summary>
    internal static async Task WriteError(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, new ErrorJson(message), DaemonJson.Relaxed.ErrorJson);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} {Path} failed")]
    internal static partial void LogFailure(ILogger logger, string method, string path, Exception error);
}
