using Plexus.Api;
using System.Text.Json;
using Plexus.Engine.Model;

namespace Plexus.Daemon.Api;

/// <summary>Every failure answers as Docker does: a status code and {"message": "..."}.</summary>
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
                await next(context);
            }
            catch (Exception error) when (!context.Response.HasStarted)
            {
                var (status, message) = error switch
                {
                    PlexusException p => (StatusOf(p.Kind), p.Message),
                    BadHttpRequestException b => (400, b.InnerException is JsonException j ? $"invalid JSON: {j.Message}" : b.Message),
                    JsonException j => (400, $"invalid JSON: {j.Message}"),
                    Kernel.KernelException k => (500, k.Message),
                    _ => (500, error.Message),
                };
                if (status >= 500) LogFailure(logger, context.Request.Method, context.Request.Path, error);
                await WriteError(context, status, message);
            }
        });
        app.UseStatusCodePages(context =>
            context.HttpContext.Response.StatusCode == 404 && !context.HttpContext.Response.HasStarted
                ? WriteError(context.HttpContext, 404, $"page not found: {context.HttpContext.Request.Method} {context.HttpContext.Request.Path}")
                : Task.CompletedTask);
    }

    private static async Task WriteError(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, new ErrorJson(message), DaemonJson.Relaxed.ErrorJson);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} {Path} failed")]
    private static partial void LogFailure(ILogger logger, string method, string path, Exception error);
}
