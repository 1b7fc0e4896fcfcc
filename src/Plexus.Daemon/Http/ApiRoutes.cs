using System.Text.Json.Serialization.Metadata;

namespace Plexus.Daemon.Http;

/// <summary>An endpoint: writes its own answer (streams, upgrades) or throws for the error answer.</summary>
internal delegate Task ApiHandler(ApiCall call);

/// <summary>
/// The Docker API's route table, fixed at start: each route a method set, a pattern of literal segments and at
/// most one parameter ({id}, or a trailing {**rest} that takes the rest of the path), and its endpoint. It is a
/// list ordered by precedence, walked per request: with some fifty routes that is cheaper than building a
/// matcher, and nothing is built at the first request.
/// </summary>
internal sealed class ApiRoutes
{
    private static readonly string[] AnyMethod = [];
    private Route[] _routes = [];

    public void Get(string pattern, Func<ApiCall, Answer> endpoint) => Add(["GET"], pattern, Writing(endpoint));

    public void GetAsync(string pattern, ApiHandler endpoint) => Add(["GET"], pattern, endpoint);

    public void Delete(string pattern, Func<ApiCall, Answer> endpoint) => Add(["DELETE"], pattern, Writing(endpoint));

    public void Post(string pattern, Func<ApiCall, Answer> endpoint) => Add(["POST"], pattern, Writing(endpoint));

    public void PostAsync(string pattern, ApiHandler endpoint) => Add(["POST"], pattern, endpoint);

    /// <summary>A POST whose JSON body is read as <typeparamref name="T"/> before the endpoint runs.</summary>
    public void Post<T>(string pattern, JsonTypeInfo<T> body, Func<ApiCall, T, Answer> endpoint) where T : class =>
        Add(["POST"], pattern, async call => await endpoint(call, await call.ReadBodyAsync(body)).WriteAsync(call.Http));

    /// <summary>A POST whose JSON body is read as <typeparamref name="T"/>, by an endpoint that writes its own answer.</summary>
    public void PostAsync<T>(string pattern, JsonTypeInfo<T> body, Func<ApiCall, T, Task> endpoint) where T : class =>
        Add(["POST"], pattern, async call => await endpoint(call, await call.ReadBodyAsync(body)));

    public void Methods(string[] methods, string pattern, Func<ApiCall, Answer> endpoint) => Add(methods, pattern, Writing(endpoint));

    /// <summary>Every method.</summary>
    public void Any(string pattern, Func<ApiCall, Answer> endpoint) => Add(AnyMethod, pattern, Writing(endpoint));

    private static ApiHandler Writing(Func<ApiCall, Answer> endpoint) => call => endpoint(call).WriteAsync(call.Http);

    /// <summary>Adds a route; the table is built at start, before the server takes requests.</summary>
    private void Add(string[] methods, string pattern, ApiHandler endpoint) =>
        _routes = [.. _routes.Append(new Route(methods, RoutePattern.Parse(pattern), endpoint)).OrderBy(r => r.Pattern, RoutePattern.Precedence)];

    /// <summary>
    /// The route for a request: the most specific pattern that matches the path and takes the method. Null with
    /// <paramref name="pathKnown"/> when some route has the path but not the method (405), or none has it (404).
    /// </summary>
    public Route? Match(string method, string path, out string value, out bool pathKnown)
    {
        pathKnown = false;
        value = "";
        var trimmed = path.Length > 1 && path[^1] == '/' ? path.AsSpan(0, path.Length - 1) : path.AsSpan();
        foreach (var route in _routes)
        {
            if (!route.Pattern.TryMatch(trimmed, out var captured)) continue;
            pathKnown = true;
            if (route.Methods.Length > 0 && Array.IndexOf(route.Methods, method) < 0) continue;
            value = captured;
            return route;
        }
        return null;
    }

    public sealed record Route(string[] Methods, RoutePattern Pattern, ApiHandler Endpoint);
}
