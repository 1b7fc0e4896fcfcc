using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Abstractions;
using Microsoft.AspNetCore.Http.Features;
using Plexus.Api;
using Plexus.Daemon.Api;
using Plexus.Daemon.Hosting;

namespace Plexus.Daemon.Http;

/// <summary>
/// What Kestrel calls for each request. Requests on the plugin socket go to the plugin protocol's dispatcher
/// only; the others are the Docker API: every answer carries Docker's version headers, a /v1.45 prefix is
/// checked and taken off, the route is found, and whatever the endpoint throws becomes Docker's error answer.
/// </summary>
internal sealed class ApiApplication(ApiRoutes routes, DaemonServices services, Func<HttpContext, Task>? plugin) : IHttpApplication<HttpContext>
{
    private readonly ILogger _logger = services.Logs.CreateLogger("plexusd.api");

    /// <summary>One context per connection, reset between its requests, as ASP.NET's hosting layer keeps them.</summary>
    public HttpContext CreateContext(IFeatureCollection contextFeatures)
    {
        if (contextFeatures is IHostContextContainer<HttpContext> container)
        {
            if (container.HostContext is DefaultHttpContext kept)
            {
                kept.Initialize(contextFeatures);
                return kept;
            }
            var made = new DefaultHttpContext(contextFeatures);
            container.HostContext = made;
            return made;
        }
        return new DefaultHttpContext(contextFeatures);
    }

    public void DisposeContext(HttpContext context, Exception? exception)
    {
        if (context is DefaultHttpContext kept) kept.Uninitialize();
    }

    public Task ProcessRequestAsync(HttpContext context) =>
        plugin is not null && Plugin.PluginEndpoints.IsPluginConnection(context) ? plugin(context) : ServeAsync(context);

    private async Task ServeAsync(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        VersionHeaders(response);
        try
        {
            RequestBodyLimit.Apply(context);
            var path = request.Path.Value ?? "/";
            if (ApiVersions.TrySplit(path, out var version, out var rest))
            {
                ApiVersions.Check(version);
                request.Path = path = rest;
            }
            var route = routes.Match(request.Method, path, out var value, out bool pathKnown);
            if (route is null)
            {
                await ErrorHandling.WriteError(context, pathKnown ? 405 : 404,
                    $"{(pathKnown ? "method not allowed" : "page not found")}: {request.Method} {path}");
                return;
            }
            await route.Endpoint(new ApiCall(context, services, value));
        }
        catch (Exception error) when (!response.HasStarted)
        {
            var (status, message) = ErrorHandling.Describe(error, request);
            if (status >= 500) ErrorHandling.LogFailure(_logger, request.Method, request.Path, error);
            response.Clear(); // what the endpoint set before it failed
            VersionHeaders(response);
            await ErrorHandling.WriteError(context, status, message);
        }
    }

    /// <summary>Docker's headers on every answer of the API, errors included.</summary>
    private static void VersionHeaders(HttpResponse response)
    {
        response.Headers["Api-Version"] = ApiInfo.ApiVersion;
        response.Headers["Ostype"] = "linux";
    }
}
