using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Plexus.Bench.Compare;

/// <summary>
/// HTTP over a daemon's Unix socket (plexusd's and dockerd's APIs have the same shape): pooled connections,
/// no process per operation. Errors come back as <see cref="SystemFailureException"/> with the daemon's message.
/// </summary>
internal sealed class UnixHttp : IDisposable
{
    private readonly HttpClient _client;
    private readonly TimeSpan _timeout;
    private readonly System.Collections.Concurrent.ConcurrentBag<HttpConnection> _idle = [];

    public UnixHttp(string socketPath, TimeSpan timeout)
    {
        SocketPath = socketPath;
        _timeout = timeout;
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancel) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancel);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
            MaxConnectionsPerServer = 32,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10),
            UseProxy = false,
        };
        _client = new HttpClient(handler) { BaseAddress = new Uri("http://localhost"), Timeout = timeout };
    }

    public string SocketPath { get; }

    /// <summary>True when GET /_ping answers 200.</summary>
    public bool Ping()
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/_ping");
            using var response = _client.Send(request);
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (Exception e) when (e is HttpRequestException or IOException or SocketException or TaskCanceledException)
        {
            return false;
        }
    }

    public JsonNode? Get(string path) => Parse(Send(HttpMethod.Get, path, null));

    public JsonNode? Post(string path, JsonNode? body = null) => Parse(Send(HttpMethod.Post, path, body?.ToJsonString()));

    public void Delete(string path) => Send(HttpMethod.Delete, path, null);

    /// <summary>POST with a raw body (docker's image import takes a tar stream); answers the response text.</summary>
    public string PostRaw(string path, byte[] body, string contentType)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        return Complete(request);
    }

    /// <summary>
    /// A small JSON request on a pooled keep-alive connection (<see cref="HttpConnection"/>), not HttpClient. A pooled
    /// connection the server has closed meanwhile (Kestrel closes idle ones after two minutes) fails at once: the
    /// request is sent again, once, on a new connection.
    /// </summary>
    private string Send(HttpMethod method, string path, string? json)
    {
        bool pooled = _idle.TryTake(out var connection);
        while (true)
        {
            try
            {
                connection ??= new HttpConnection(SocketPath, _timeout);
            }
            catch (SocketException e)
            {
                throw new SystemFailureException($"{method} {path}: {e.Message}");
            }
            int status;
            string text;
            try
            {
                (status, text) = connection.Send(method.Method, path, json);
            }
            catch (Exception e) when (e is IOException or SocketException)
            {
                bool unanswered = !connection.Answered;
                connection.Dispose();
                connection = null;
                if (pooled && unanswered)
                {
                    pooled = false;
                    continue;
                }
                throw new SystemFailureException($"{method} {path}: {e.Message}");
            }
            if (connection.Reusable) _idle.Add(connection);
            else connection.Dispose();
            if (status is < 200 or > 299) throw new SystemFailureException($"{method} {path}: {status} {ErrorMessage(text).Trim()}");
            return text;
        }
    }

    /// <summary>The "message" of a daemon's JSON error, or the text as it is.</summary>
    private static string ErrorMessage(string text)
    {
        try
        {
            return JsonNode.Parse(text)?["message"]?.GetValue<string>() ?? text;
        }
        catch (System.Text.Json.JsonException)
        {
            return text;
        }
    }

    private string Complete(HttpRequestMessage request)
    {
        try
        {
            using var response = _client.Send(request);
            using var reader = new StreamReader(response.Content.ReadAsStream());
            var text = reader.ReadToEnd();
            if (!response.IsSuccessStatusCode)
            {
                throw new SystemFailureException($"{request.Method} {request.RequestUri}: {(int)response.StatusCode} {ErrorMessage(text).Trim()}");
            }
            return text;
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException)
        {
            throw new SystemFailureException($"{request.Method} {request.RequestUri}: {e.Message}");
        }
    }

    private static JsonNode? Parse(string text) => string.IsNullOrWhiteSpace(text) ? null : JsonNode.Parse(text);

    public void Dispose()
    {
        _client.Dispose();
        while (_idle.TryTake(out var connection)) connection.Dispose();
    }
}
