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

    public UnixHttp(string socketPath, TimeSpan timeout)
    {
        SocketPath = socketPath;
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

    private string Send(HttpMethod method, string path, string? json)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        else if (method == HttpMethod.Post) request.Content = new StringContent("", Encoding.UTF8, "application/json");
        return Complete(request);
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
                string message = text;
                try
                {
                    message = JsonNode.Parse(text)?["message"]?.GetValue<string>() ?? text;
                }
                catch (System.Text.Json.JsonException)
                {
                    // not JSON: keep the text
                }
                throw new SystemFailureException($"{request.Method} {request.RequestUri}: {(int)response.StatusCode} {message.Trim()}");
            }
            return text;
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException)
        {
            throw new SystemFailureException($"{request.Method} {request.RequestUri}: {e.Message}");
        }
    }

    private static JsonNode? Parse(string text) => string.IsNullOrWhiteSpace(text) ? null : JsonNode.Parse(text);

    public void Dispose() => _client.Dispose();
}
