namespace Plexus.Client;

/// <summary>A daemon's answer: its status, its media type and its body, read as it arrives. Disposing closes the connection.</summary>
internal sealed class HttpAnswer(int statusCode, string reasonPhrase, Stream body, string? mediaType = null) : IDisposable
{
    /// <summary>Content-Type without its parameters (<c>application/json</c>), or null when the answer has none.</summary>
    public string? MediaType { get; } = mediaType;

    public int StatusCode { get; } = statusCode;

    public string ReasonPhrase { get; } = reasonPhrase;

    public bool IsSuccess => StatusCode is >= 200 and < 300;

    public Stream Body { get; } = body;

    public async Task<string> ReadTextAsync(CancellationToken ct)
    {
        using var reader = new StreamReader(Body, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: false, leaveOpen: true);
        return await reader.ReadToEndAsync(ct);
    }

    public void Dispose() => Body.Dispose();
}
