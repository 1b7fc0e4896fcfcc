using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Plexus.Api;

namespace Plexus.Client;

/// <summary>
/// plexusd's HTTP API over its Unix socket (or TCP), one <see cref="HttpConnection"/> per request.
/// Error statuses become <see cref="DaemonException"/> with the daemon's message; a socket that is
/// missing or refuses becomes <see cref="DaemonUnreachableException"/>.
/// </summary>
public sealed partial class DaemonClient : IDisposable
{
    /// <summary>The API version this client speaks, as docker prefixes its paths; the daemon also takes none.</summary>
    public const string ApiVersion = ApiInfo.ApiVersion;

    private const string Prefix = "/v" + ApiVersion;

    /// <summary>The JSON of request bodies: absent fields are left out, so the daemon applies its defaults.</summary>
    public static readonly DaemonJson RequestJson = new(new JsonSerializerOptions { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull });

    private readonly DaemonHost _host;

    /// <summary>A client of the daemon at <paramref name="host"/>; nothing is connected until a request.</summary>
    public DaemonClient(DaemonHost host) => _host = host;

    /// <summary>The daemon this client talks to.</summary>
    public DaemonHost Host => _host;

    /// <summary>Nothing to release: each request's connection closes with its answer.</summary>
    public void Dispose()
    {
    }

    /// <summary>GET /version: the daemon's version and API versions.</summary>
    public async Task<VersionJson> VersionAsync(CancellationToken ct) =>
        await ReadAsync(await SendAsync("GET", "/version", null, ct), DaemonJson.Default.VersionJson, ct);

    /// <summary>GET /info, as the daemon sent it.</summary>
    public async Task<JsonElement> InfoAsync(CancellationToken ct) => await ReadRawAsync(await SendAsync("GET", "/info", null, ct), ct);

    /// <summary>GET /networks: the networks that pass Docker's <paramref name="filters"/> (name, id, label, driver, ...).</summary>
    public async Task<List<NetworkJson>> ListNetworksAsync(IReadOnlyDictionary<string, List<string>> filters, CancellationToken ct) =>
        await ReadAsync(await SendAsync("GET", "/networks" + FiltersQuery(filters, "?"), null, ct), DaemonJson.Default.ListNetworkJson, ct);

    /// <summary>The daemon's JSON as it sent it, for printing and templates (nothing dropped by a typed model).</summary>
    public async Task<JsonElement> InspectNetworkAsync(string id, CancellationToken ct) =>
        await ReadRawAsync(await SendAsync("GET", $"/networks/{Escape(id)}", null, ct), ct);

    /// <summary>POST /networks/create: the new network's id and any warning.</summary>
    public async Task<NetworkCreateResponseJson> CreateNetworkAsync(NetworkCreateJson request, CancellationToken ct) =>
        await ReadAsync(await SendAsync("POST", "/networks/create", JsonSerializer.SerializeToUtf8Bytes(request, RequestJson.NetworkCreateJson), ct), DaemonJson.Default.NetworkCreateResponseJson, ct);

    /// <summary>DELETE /networks/{id}: removes a network by id or name.</summary>
    public async Task RemoveNetworkAsync(string id, CancellationToken ct) =>
        (await SendAsync("DELETE", $"/networks/{Escape(id)}", null, ct)).Dispose();

    /// <summary>POST /networks/{network}/connect: joins a sandbox (container) to the network.</summary>
    public async Task ConnectAsync(string network, NetworkConnectJson request, CancellationToken ct) =>
        (await SendAsync("POST", $"/networks/{Escape(network)}/connect", JsonSerializer.SerializeToUtf8Bytes(request, RequestJson.NetworkConnectJson), ct)).Dispose();

    /// <summary>POST /networks/{network}/disconnect: takes a sandbox (container) off the network.</summary>
    public async Task DisconnectAsync(string network, NetworkDisconnectJson request, CancellationToken ct) =>
        (await SendAsync("POST", $"/networks/{Escape(network)}/disconnect", JsonSerializer.SerializeToUtf8Bytes(request, RequestJson.NetworkDisconnectJson), ct)).Dispose();

    /// <summary>POST /networks/prune: removes the unused networks that pass <paramref name="filters"/>.</summary>
    public async Task<NetworkPruneResponseJson> PruneNetworksAsync(IReadOnlyDictionary<string, List<string>> filters, CancellationToken ct) =>
        await ReadAsync(await SendAsync("POST", "/networks/prune" + FiltersQuery(filters, "?"), null, ct), DaemonJson.Default.NetworkPruneResponseJson, ct);

    /// <summary>GET /containers/json: sandboxes as Docker containers; with <paramref name="all"/>, stopped ones too.</summary>
    public async Task<List<ContainerSummaryJson>> ListContainersAsync(bool all, IReadOnlyDictionary<string, List<string>> filters, CancellationToken ct) =>
        await ReadAsync(
            await SendAsync("GET", "/containers/json" + (all ? "?all=1" : "") + FiltersQuery(filters, all ? "&" : "?"), null, ct),
            DaemonJson.Default.ListContainerSummaryJson, ct);

    /// <summary>GET /containers/{id}/json, as the daemon sent it.</summary>
    public async Task<JsonElement> InspectContainerAsync(string id, CancellationToken ct) =>
        await ReadRawAsync(await SendAsync("GET", $"/containers/{Escape(id)}/json", null, ct), ct);

    /// <summary>POST /plexus/sandboxes: creates a sandbox, connects it and starts its process (all or nothing).</summary>
    public async Task<SandboxCreateResponseJson> CreateSandboxAsync(SandboxCreateJson request, CancellationToken ct) =>
        await ReadAsync(await SendAsync("POST", "/plexus/sandboxes", JsonSerializer.SerializeToUtf8Bytes(request, RequestJson.SandboxCreateJson), ct), DaemonJson.Default.SandboxCreateResponseJson, ct);

    /// <summary>POST /plexus/sandboxes/{id}/exec: runs a command in the sandbox and returns its whole output at once.</summary>
    public async Task<ExecResultJson> ExecAsync(string id, ExecJson request, CancellationToken ct) =>
        await ReadAsync(await SendAsync("POST", $"/plexus/sandboxes/{Escape(id)}/exec", JsonSerializer.SerializeToUtf8Bytes(request, RequestJson.ExecJson), ct), DaemonJson.Default.ExecResultJson, ct);

    /// <summary>
    /// Runs a command and copies its stdout and stderr to <paramref name="stdout"/> and <paramref name="stderr"/>
    /// as the daemon streams them (<see cref="ExecStream"/>); returns the command's exit code. A daemon that
    /// answers with one JSON result instead (an older one) works too.
    /// </summary>
    public async Task<int> ExecStreamAsync(string id, ExecJson request, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var response = await SendAsync("POST", $"/plexus/sandboxes/{Escape(id)}/exec", JsonSerializer.SerializeToUtf8Bytes(request, RequestJson.ExecJson), ct, ExecStream.MediaType);
        if (response.MediaType != ExecStream.MediaType)
        {
            var result = await ReadAsync(response, DaemonJson.Default.ExecResultJson, ct);
            // Each stream where it belongs (an older daemon sends only the two together, as Output).
            await stdout.WriteAsync(result.Stdout ?? result.Output);
            if (result.Stdout is not null && result.Stderr is { Length: > 0 } text) await stderr.WriteAsync(text);
            await stdout.FlushAsync(ct);
            await stderr.FlushAsync(ct);
            return result.ExitCode;
        }
        using (response)
        {
            var body = response.Body;
            var header = new byte[ExecStream.HeaderLength];
            var payload = new byte[16 * 1024];
            var decoders = (Out: Encoding.UTF8.GetDecoder(), Err: Encoding.UTF8.GetDecoder());
            var chars = new char[Encoding.UTF8.GetMaxCharCount(payload.Length)];
            try
            {
                while (await ExecStream.ReadHeaderAsync(body, header, ct) is var (kind, length))
                {
                    if (payload.Length < length) payload = new byte[length];
                    await body.ReadExactlyAsync(payload.AsMemory(0, length), ct);
                    switch (kind)
                    {
                        case ExecStream.Stdout or ExecStream.Stderr:
                            var (decoder, writer) = kind == ExecStream.Stdout ? (decoders.Out, stdout) : (decoders.Err, stderr);
                            if (chars.Length < Encoding.UTF8.GetMaxCharCount(length)) chars = new char[Encoding.UTF8.GetMaxCharCount(length)];
                            int n = decoder.GetChars(payload, 0, length, chars, 0, flush: false);
                            await writer.WriteAsync(chars.AsMemory(0, n), ct);
                            await writer.FlushAsync(ct);
                            break;
                        case ExecStream.Error:
                            await stderr.WriteLineAsync(Encoding.UTF8.GetString(payload, 0, length));
                            await stderr.FlushAsync(ct);
                            break;
                        case ExecStream.Result:
                            var result = JsonSerializer.Deserialize(payload.AsSpan(0, length), DaemonJson.Default.ExecResultJson)
                                ?? throw new DaemonException(response.StatusCode, "the daemon sent an empty exec result");
                            return result.ExitCode;
                        default:
                            break; // a kind this client does not know: skipped, as the framing allows
                    }
                }
            }
            catch (Exception e) when (e is InvalidDataException or EndOfStreamException or JsonException or IOException)
            {
                throw new DaemonException(response.StatusCode, $"the exec stream broke: {e.Message}");
            }
            throw new DaemonException(response.StatusCode, "the daemon ended the exec stream without the command's exit code");
        }
    }

    /// <summary>Copies the sandbox's log to <paramref name="output"/> as it arrives; with <paramref name="follow"/>, until the process ends.</summary>
    public async Task CopyLogsAsync(string id, TextWriter output, CancellationToken ct, bool follow = false)
    {
        using var response = await SendAsync("GET", $"/plexus/sandboxes/{Escape(id)}/logs" + (follow ? "?follow=true" : ""), null, ct);
        using var reader = new StreamReader(response.Body, Encoding.UTF8);
        var buffer = new char[8192];
        int n;
        while ((n = await reader.ReadAsync(buffer, ct)) > 0)
        {
            output.Write(buffer, 0, n);
            if (follow) output.Flush();
        }
        output.Flush();
    }

    /// <summary>The topology picture in <paramref name="format"/> (GET /plexus/graph), of these networks or of all.</summary>
    public async Task<string> GraphAsync(string format, IReadOnlyList<string> networks, CancellationToken ct)
    {
        var query = new StringBuilder(GraphApi.Path).Append("?format=").Append(Escape(format));
        foreach (var network in networks) query.Append("&network=").Append(Escape(network));
        using var response = await SendAsync("GET", query.ToString(), null, ct);
        return await response.ReadTextAsync(ct);
    }

    /// <summary>DELETE /plexus/sandboxes/{id}: removes a sandbox; <paramref name="force"/> stops its process first.</summary>
    public async Task RemoveSandboxAsync(string id, bool force, CancellationToken ct) =>
        (await SendAsync("DELETE", $"/plexus/sandboxes/{Escape(id)}" + (force ? "?force=true" : ""), null, ct)).Dispose();

    private static string Escape(string id) => Uri.EscapeDataString(id);

    /// <summary>Docker's filters parameter: {"name":["web"],"label":["a=b"]}.</summary>
    internal static string FiltersQuery(IReadOnlyDictionary<string, List<string>> filters, string separator)
    {
        if (filters.Count == 0) return "";
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            foreach (var (key, values) in filters)
            {
                w.WriteStartArray(key);
                foreach (var v in values) w.WriteStringValue(v);
                w.WriteEndArray();
            }
            w.WriteEndObject();
        }
        return separator + "filters=" + Uri.EscapeDataString(Encoding.UTF8.GetString(stream.ToArray()));
    }

    private async Task<HttpAnswer> SendAsync(string method, string path, byte[]? body, CancellationToken ct, string? accept = null)
    {
        HttpAnswer response;
        try
        {
            response = await HttpConnection.SendAsync(_host, method, Prefix + path, body, ct, accept);
        }
        catch (SocketException e)
        {
            throw Unreachable(e);
        }
        catch (IOException e)
        {
            // Connected, but the conversation broke (the daemon died mid-request, or is not speaking HTTP).
            throw new DaemonUnreachableException($"error during connect to the Plexus daemon at {_host.Uri}: {e.Message}", e);
        }
        if (response.IsSuccess) return response;
        using (response)
            throw new DaemonException(response.StatusCode, await ErrorMessageAsync(response, ct));
    }

    private DaemonUnreachableException Unreachable(SocketException e)
    {
        if (e.SocketErrorCode == SocketError.AccessDenied)
            return new DaemonUnreachableException($"permission denied while trying to connect to the Plexus daemon socket at {_host.Uri}: run as root or as a member of the socket's group", e);
        return new DaemonUnreachableException($"Cannot connect to the Plexus daemon at {_host.Uri}. Is plexusd running?", e);
    }

    /// <summary>The daemon's {"message": "..."}, else the body as text, else the status.</summary>
    private static async Task<string> ErrorMessageAsync(HttpAnswer response, CancellationToken ct)
    {
        var body = (await response.ReadTextAsync(ct)).Trim();
        if (body.StartsWith('{'))
        {
            try
            {
                using var doc = JsonDocument.Parse(body);
                if (doc.RootElement.ValueKind == JsonValueKind.Object
                    && (doc.RootElement.TryGetProperty("message", out var m) || doc.RootElement.TryGetProperty("Message", out m))
                    && m.ValueKind == JsonValueKind.String)
                    return m.GetString()!;
            }
            catch (JsonException)
            {
                // not the daemon's error shape: show the body as it is
            }
        }
        if (body.Length > 0) return body;
        return $"{response.StatusCode} {response.ReasonPhrase}".TrimEnd();
    }

    private static async Task<T> ReadAsync<T>(HttpAnswer response, JsonTypeInfo<T> type, CancellationToken ct)
    {
        using (response)
        {
            try
            {
                return await JsonSerializer.DeserializeAsync(response.Body, type, ct)
                    ?? throw new DaemonException(response.StatusCode, "the daemon sent an empty answer");
            }
            catch (JsonException e)
            {
                throw new DaemonException(response.StatusCode, $"the daemon's answer is not the expected JSON: {e.Message}");
            }
            catch (IOException e)
            {
                throw new DaemonException(response.StatusCode, $"the daemon's answer broke off: {e.Message}");
            }
        }
    }

    private static async Task<JsonElement> ReadRawAsync(HttpAnswer response, CancellationToken ct)
    {
        using (response)
        {
            try
            {
                using var doc = await JsonDocument.ParseAsync(response.Body, cancellationToken: ct);
                return doc.RootElement.Clone();
            }
            catch (JsonException e)
            {
                throw new DaemonException(response.StatusCode, $"the daemon's answer is not JSON: {e.Message}");
            }
            catch (IOException e)
            {
                throw new DaemonException(response.StatusCode, $"the daemon's answer broke off: {e.Message}");
            }
        }
    }
}
