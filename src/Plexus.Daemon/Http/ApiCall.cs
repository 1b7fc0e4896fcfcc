using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Features;
using Plexus.Daemon.Api;
using Plexus.Daemon.Hosting;
using Plexus.Engine.Controller;
using Plexus.Engine.Model;

namespace Plexus.Daemon.Http;

/// <summary>
/// One request to the Docker API, as an endpoint sees it: the route's one value (the {id} of
/// /networks/{id}/connect), the query, the body read as JSON, and the daemon's services.
/// </summary>
internal sealed class ApiCall(HttpContext http, DaemonServices services, string routeValue)
{
    public HttpContext Http => http;

    public DaemonServices Services => services;

    /// <summary>The engine's controller; waits for the engine to open (restore) on the first requests after a start.</summary>
    public NetworkController Controller => services.Controller;

    /// <summary>The value of the route's one parameter ({id}, {name} or a catch-all's rest); empty when it has none.</summary>
    public string RouteValue => routeValue;

    public CancellationToken Aborted => http.RequestAborted;

    /// <summary>A query parameter as one string (several values joined by commas), or null when absent.</summary>
    public string? Query(string name)
    {
        var values = http.Request.Query[name];
        return values.Count == 0 ? null : values.ToString();
    }

    /// <summary>
    /// The body as <typeparamref name="T"/>, or a 400 that says why not: no body, a content type that is not
    /// JSON (Docker's CheckForJSON words), the JSON literal null, or JSON that does not fit the type (where and
    /// what the field takes, <see cref="JsonErrors"/>).
    /// </summary>
    public async Task<T> ReadBodyAsync<T>(JsonTypeInfo<T> type) where T : class
    {
        var request = http.Request;
        if (http.Features.Get<IHttpRequestBodyDetectionFeature>() is { CanHaveBody: false })
            throw PlexusException.Invalid($"the request body is empty: {request.Method} {request.Path} takes a JSON object");
        if (!request.HasJsonContentType()) throw PlexusException.Invalid(ErrorHandling.UnsupportedContentType(request));
        T? body;
        try
        {
            body = await request.ReadFromJsonAsync(type, http.RequestAborted);
        }
        catch (JsonException e)
        {
            throw PlexusException.Invalid(JsonErrors.Describe(e, typeof(T)));
        }
        return body ?? throw PlexusException.Invalid($"the request body is null: {request.Method} {request.Path} takes a JSON object");
    }
}
