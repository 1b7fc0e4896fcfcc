using System.Net.Sockets;
using System.Text.Json;
using Plexus.Api;

namespace Plexus.Client;

public sealed partial class DaemonClient
{
    /// <summary>
    /// POST /cni/{<paramref name="operation"/>} (add, del, check, status, gc): the attachment for add and check,
    /// null for the others. A refusal is a <see cref="CniDaemonException"/> with the CNI code plexusd chose; a
    /// daemon that cannot be reached is a <see cref="DaemonUnreachableException"/>.
    /// </summary>
    public async Task<CniAttachmentJson?> CniAsync(string operation, CniRequestJson request, CancellationToken ct)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(request, CniApiJson.Default.CniRequestJson);
        HttpAnswer answer;
        try
        {
            answer = await HttpConnection.SendAsync(_host, "POST", "/cni/" + operation, body, ct);
        }
        catch (SocketException e)
        {
            throw Unreachable(e);
        }
        catch (IOException e)
        {
            throw new DaemonUnreachableException($"error during connect to the Plexus daemon at {_host.Uri}: {e.Message}", e);
        }
        using (answer)
        {
            var text = await answer.ReadTextAsync(ct);
            try
            {
                if (!answer.IsSuccess)
                {
                    var error = text.Length > 0 ? JsonSerializer.Deserialize(text, CniApiJson.Default.CniErrorJson) : null;
                    throw new CniDaemonException(error?.Code ?? 0, error?.Message is { Length: > 0 } m ? m : $"plexusd answered {answer.StatusCode} {answer.ReasonPhrase}");
                }
                return text.Length == 0 ? null : JsonSerializer.Deserialize(text, CniApiJson.Default.CniAttachmentJson);
            }
            catch (JsonException e)
            {
                throw new CniDaemonException(0, $"plexusd's answer to CNI {operation} is not the expected JSON ({answer.StatusCode}): {e.Message}");
            }
        }
    }
}

/// <summary>plexusd refused a CNI operation: <see cref="Code"/> is the CNI error code it chose (0: none given).</summary>
public sealed class CniDaemonException : Exception
{
    /// <summary>A refusal with its CNI code and plexusd's message.</summary>
    public CniDaemonException(int code, string message) : base(message) => Code = code;

    /// <summary>An empty refusal (for serializers and analyzers).</summary>
    public CniDaemonException()
    {
    }

    /// <summary>A refusal with a message and no code.</summary>
    public CniDaemonException(string message) : base(message)
    {
    }

    /// <summary>A refusal caused by another failure.</summary>
    public CniDaemonException(string message, Exception inner) : base(message, inner)
    {
    }

    /// <summary>The CNI error code (SPEC.md, "Error"); 0 when plexusd gave none.</summary>
    public int Code { get; }
}
