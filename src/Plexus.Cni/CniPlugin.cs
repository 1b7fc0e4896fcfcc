using System.Text.Json;
using Plexus.Api;
using Plexus.Client;

namespace Plexus.Cni;

/// <summary>
/// One CNI operation: the environment and configuration read and checked, the operation handed to plexusd
/// (POST /cni/...), and the result or the spec's error object written to stdout. Returns the exit code.
/// </summary>
internal static class CniPlugin
{
    /// <summary>How long plexusd may take to answer one operation (each send and receive).</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    /// <summary>Synchronous throughout: no thread pool, no timer, no socket engine thread to start (see <see cref="UnixHttp"/>).</summary>
    public static int Run(Func<string, string?> environment, byte[] stdin, Stream stdout)
    {
        string version = CniConfig.VersionOf(stdin) is { } v && CniVersions.IsSupported(v) ? v : CniVersions.Latest;
        using var w = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true });
        try
        {
            // VERSION reads nothing but CNI_COMMAND: runtimes call it with dummy values in the rest.
            if (environment("CNI_COMMAND") == "VERSION")
            {
                CniResult.WriteVersions(w, version);
                return Done(w);
            }
            var env = CniEnvironment.Read(environment);
            var config = CniConfig.Parse(stdin, env.Args);
            version = config.CniVersion;
            if (!CniVersions.Supports(version, env.Command))
                throw new CniError(CniError.IncompatibleVersion, $"{env.Command} needs cniVersion {(env.Command == "CHECK" ? "0.4.0" : "1.1.0")} or later; network {config.Name} asks for {version}");
            var host = HostOf(config, environment);
            var request = new CniRequestJson
            {
                ContainerId = env.ContainerId,
                Netns = env.Netns,
                IfName = env.IfName,
                Network = config.Network,
                Runtime = config.Runtime,
                ValidAttachments = config.ValidAttachments,
            };
            switch (env.Command)
            {
                case "ADD":
                    var added = Call(host, "add", request, config) ?? throw new CniError(CniError.Failed, "plexusd's answer to ADD is empty");
                    CniResult.Write(w, version, added, config.PrevResult);
                    return Done(w);
                case "CHECK":
                    var held = Call(host, "check", request, config) ?? throw new CniError(CniError.Failed, "plexusd's answer to CHECK is empty");
                    var problems = new List<string>(held.Problems);
                    if (config.PrevResult is { } prev) problems.AddRange(CniResult.Compare(prev, held));
                    if (problems.Count > 0)
                        throw new CniError(CniError.Failed, $"container {env.ContainerId} interface {env.IfName} on network {config.Name}: {string.Join("; ", problems)}");
                    return 0;
                case "DEL":
                    Call(host, "del", request, config);
                    return 0;
                case "STATUS":
                    Call(host, "status", request, config);
                    return 0;
                default: // GC
                    Call(host, "gc", request, config);
                    return 0;
            }
        }
        catch (CniError error)
        {
            w.Reset(stdout);
            CniResult.WriteError(w, version, error);
            Done(w);
            return 1;
        }
    }

    private static int Done(Utf8JsonWriter w)
    {
        w.Flush();
        return 0;
    }

    /// <summary>The configuration's socket, else PLEXUS_HOST, else the default; a bad one is error 7 naming it.</summary>
    private static DaemonHost HostOf(CniConfig config, Func<string, string?> environment)
    {
        try
        {
            return config.Socket is { Length: > 0 } socket ? DaemonHost.Parse(socket) : DaemonHost.Resolve(null, environment(DaemonHost.EnvironmentVariable));
        }
        catch (FormatException e)
        {
            throw new CniError(CniError.InvalidConfig, $"network {config.Name}: socket: {e.Message}");
        }
    }

    /// <summary>
    /// One call to plexusd. plexusd not answering is "try again" (11), or for STATUS "not available" (50): nothing
    /// was made, since plexusd makes everything.
    /// </summary>
    private static CniAttachmentJson? Call(DaemonHost host, string operation, CniRequestJson request, CniConfig config)
    {
        int unreachable = operation == "status" ? CniError.NotAvailable : CniError.TryAgain;
        try
        {
            if (host.SocketPath is not { } socket)
            {
                using var client = new DaemonClient(host);
                return client.CniAsync(operation, request, CancellationToken.None).GetAwaiter().GetResult();
            }
            var answer = UnixHttp.Post(socket, "/cni/" + operation, JsonSerializer.SerializeToUtf8Bytes(request, CniApiJson.Default.CniRequestJson), Timeout);
            return Read(answer, operation);
        }
        catch (UnixHttp.UnreachableException e)
        {
            throw new CniError(unreachable, e.Denied
                ? $"network {config.Name}: permission denied while trying to connect to the Plexus daemon socket at {host.Uri}: run as root or as a member of the socket's group"
                : $"network {config.Name}: Cannot connect to the Plexus daemon at {host.Uri}. Is plexusd running? ({e.Message})");
        }
        catch (IOException e)
        {
            throw new CniError(unreachable, $"network {config.Name}: error during connect to the Plexus daemon at {host.Uri}: {e.Message}");
        }
        catch (DaemonUnreachableException e)
        {
            throw new CniError(unreachable, $"network {config.Name}: {e.Message}");
        }
        catch (CniDaemonException e)
        {
            throw new CniError(e.Code > 0 ? e.Code : CniError.Failed, e.Message);
        }
    }

    /// <summary>plexusd's answer: the attachment (add, check), nothing (the others), or its CNI error object.</summary>
    private static CniAttachmentJson? Read(UnixHttp.Answer answer, string operation)
    {
        try
        {
            if (!answer.IsSuccess)
            {
                var error = answer.Body.Length > 0 ? JsonSerializer.Deserialize(answer.Body, CniApiJson.Default.CniErrorJson) : null;
                throw new CniError(error?.Code is > 0 and var code ? code : CniError.Failed,
                    error?.Message is { Length: > 0 } m ? m : $"plexusd answered {answer.Status} to CNI {operation}");
            }
            return answer.Body.Length == 0 ? null : JsonSerializer.Deserialize(answer.Body, CniApiJson.Default.CniAttachmentJson);
        }
        catch (JsonException e)
        {
            throw new CniError(CniError.Failed, $"plexusd's answer to CNI {operation} is not the expected JSON ({answer.Status}): {e.Message}");
        }
    }
}
