using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Plexus.Daemon.Tests.Plugin;

/// <summary>
/// Docker's plugin client, as far as a test needs it: a POST of the protocol's JSON to /Method on the plugin
/// socket, with Docker's media type, and the answer's status and JSON.
/// </summary>
internal sealed class PluginClient(string socket) : IDisposable
{
    public const string MediaType = "application/vnd.docker.plugins.v1.2+json";

    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        ConnectCallback = async (_, token) =>
        {
            var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await s.ConnectAsync(new UnixDomainSocketEndPoint(socket), token);
            return new NetworkStream(s, ownsSocket: true);
        },
    })
    { BaseAddress = new Uri("http://plugin/"), Timeout = TimeSpan.FromSeconds(60) };

    public (int Status, JsonElement Body, string ContentType) Call(string method, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(MediaType);
        using var response = _http.PostAsync(method, content).Result;
        var text = response.Content.ReadAsStringAsync().Result;
        using var doc = JsonDocument.Parse(text.Length == 0 ? "{}" : text);
        return ((int)response.StatusCode, doc.RootElement.Clone(), response.Content.Headers.ContentType?.MediaType ?? "");
    }

    /// <summary>A call that must succeed: its answer.</summary>
    public JsonElement Ok(string method, string json)
    {
        var (status, body, _) = Call(method, json);
        Assert.True(status == 200, $"{method} answered {status}: {body}");
        Assert.False(body.TryGetProperty("Err", out var err) && err.GetString() is { Length: > 0 }, $"{method}: {body}");
        return body;
    }

    /// <summary>A call that must fail: the error text, from the field Docker reads (Err, or Error for IPAM).</summary>
    public string Fails(string method, string json, int status = 500)
    {
        var (got, body, type) = Call(method, json);
        Assert.True(got == status, $"{method} answered {got}, not {status}: {body}");
        Assert.Equal(MediaType, type);
        var field = method.StartsWith("IpamDriver.", StringComparison.Ordinal) ? "Error" : "Err";
        Assert.True(body.TryGetProperty(field, out var text), $"{method}: no {field} in {body}");
        return text.GetString()!;
    }

    public void Dispose() => _http.Dispose();
}
