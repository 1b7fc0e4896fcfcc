using System.Net.Sockets;
using System.Text;

namespace Plexus.Docker.Tests.Support;

/// <summary>HTTP on a Unix socket: the daemons' APIs (readiness) and the plugin socket (what dockerd would post).</summary>
public static class UnixHttp
{
    public static (int Status, string Body) Send(string socketPath, HttpMethod method, string path, string? body = null, int timeoutSeconds = 30)
    {
        using var client = new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = async (_, token) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), token);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        })
        { BaseAddress = new Uri("http://localhost"), Timeout = TimeSpan.FromSeconds(timeoutSeconds) };
        using var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = client.Send(request);
        using var reader = new StreamReader(response.Content.ReadAsStream());
        return ((int)response.StatusCode, reader.ReadToEnd());
    }

    /// <summary>True when GET /_ping answers 200 (plexusd and dockerd both have it).</summary>
    public static bool Ping(string socketPath)
    {
        if (!File.Exists(socketPath)) return false;
        try
        {
            return Send(socketPath, HttpMethod.Get, "/_ping", timeoutSeconds: 10).Status == 200;
        }
        catch (Exception e) when (e is HttpRequestException or IOException or SocketException or TaskCanceledException)
        {
            return false;
        }
    }
}
