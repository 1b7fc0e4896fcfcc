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
    public static async Task<int> RunAsync(Func<string, string?> environment, byte[] stdin, Stream stdout, CancellationToken ct)
    {
        string version = CniConfig.VersionOf(stdin) is { } v && CniVersions.IsSupported(v) ? v : CniVersions.Latest;
        await using var w = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true });
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
            using var client = new DaemonClient(HostOf(config, environment));
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
                    var added = await CallAsync(client, "add", request, config, ct) ?? throw new CniError(CniError.Failed, "plexusd's answer to ADD is empty");
                    CniResult.Write(w, version, added, config.PrevResult);
                    return Done(w);
                case "CHECK":
                    var held = await CallAsync(client, "check", request, config, ct) ?? throw new CniError(CniError.Failed, "plexusd's answer to CHECK is empty");
                    var problems = new List<string>(held.Problems);
                    if (config.PrevResult is { } prev) problems.AddRange(CniResult.Compare(prev, held));
                    if (problems.Count > 0)
                        throw new CniError(CniError.Failed, $"container {env.ContainerId} interface {env.IfName} on network {config.Name}: {string.Join("; ", problems)}");
                    return 0;
                case "DEL":
                    await CallAsync(client, "del", request, config, ct);
                    return 0;
                case "STATUS":
                    await CallAsync(client, "status", request, config, ct);
                    return 0;
                default: // GC
                    await CallAsync(client, "gc", request, config, ct);
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
    private static async Task<CniAttachmentJson?> CallAsync(DaemonClient client, string operation, CniRequestJson request, CniConfig config, CancellationToken ct)
    {
        try
        {
            return await client.CniAsync(operation, request, ct);
        }
        catch (DaemonUnreachableException e)
        {
            throw new CniError(operation == "status" ? CniError.NotAvailable : CniError.TryAgain, $"network {config.Name}: {e.Message}");
        }
        catch (CniDaemonException e)
        {
            throw new CniError(e.Code > 0 ? e.Code : CniError.Failed, e.Message);
        }
    }
}
