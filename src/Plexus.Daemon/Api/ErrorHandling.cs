using Plexus.Api;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Plexus.Engine.Model;

namespace Plexus.Daemon.Api;

/// <summary>Every failure answers as Docker does: a status code and {"message": "..."}.</summary>
internal static class ErrorHandling
{
    public static int StatusOf(ErrorKind kind) => kind switch
    {
        ErrorKind.InvalidArgument => 400,
        ErrorKind.NotFound => 404,
        ErrorKind.Conflict => 409,
        ErrorKind.Forbidden => 403,
        _ => 500,
    };

    public static void UseDockerErrors(this WebApplication app)
    {
        app.UseExceptionHandler(builder => builder.Run(async context =>
        {
            var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
            var (status, message) = error switch
            {
                PlexusException p => (StatusOf(p.Kind), p.Message),
                BadHttpRequestException b => (400, b.InnerException is JsonException j ? $"invalid JSON: {j.Message}" : b.Message),
                JsonException j => (400, $"invalid JSON: {j.Message}"),
                Kernel.KernelException k => (500, k.Message),
                _ => (500, error?.Message ?? "internal error"),
            };
            context.Response.StatusCode = status;
            await context.Response.WriteAsJsonAsync(new ErrorJson(message), DaemonJson.Default.ErrorJson);
        }));
        app.UseStatusCodePages(async context =>
        {
            if (context.HttpContext.Response.StatusCode == 404 && !context.HttpContext.Response.HasStarted)
                await context.HttpContext.Response.WriteAsJsonAsync(
                    new ErrorJson($"page not found: {context.HttpContext.Request.Method} {context.HttpContext.Request.Path}"), DaemonJson.Default.ErrorJson);
        });
    }
}
