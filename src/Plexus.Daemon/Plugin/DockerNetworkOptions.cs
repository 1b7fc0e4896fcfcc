using System.Text.Json;
using Plexus.Engine.Model;

namespace Plexus.Daemon.Plugin;

/// <summary>
/// What CreateNetwork's Options mean on Plexus's bridge: `docker network create -o` arrives under
/// com.docker.network.generic (enable_icc, enable_ip_masquerade, bridge name, mtu: the keys Plexus's bridge reads),
/// --ipv6 as com.docker.network.enable_ipv6 and --internal as com.docker.network.internal.
/// </summary>
internal static class DockerNetworkOptions
{
    public const string Generic = "com.docker.network.generic";
    public const string EnableIPv6 = "com.docker.network.enable_ipv6";
    public const string Internal = "com.docker.network.internal";

    public static IReadOnlyDictionary<string, string> DriverOptions(Dictionary<string, JsonElement>? options)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (options is null || !options.TryGetValue(Generic, out var generic) || generic.ValueKind == JsonValueKind.Null) return result;
        if (generic.ValueKind != JsonValueKind.Object)
            throw PlexusException.Invalid($"option {Generic} must be an object of driver options, not {generic.ValueKind.ToString().ToLowerInvariant()}");
        foreach (var p in generic.EnumerateObject())
        {
            result[p.Name] = p.Value.ValueKind switch
            {
                JsonValueKind.String => p.Value.GetString()!,
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                JsonValueKind.Number => p.Value.GetRawText(),
                _ => throw PlexusException.Invalid($"driver option {p.Name} must be a string, not {p.Value.ValueKind.ToString().ToLowerInvariant()}"),
            };
        }
        return result;
    }

    /// <summary>A flag Docker sends as a JSON boolean (or, from older clients, a string).</summary>
    public static bool Flag(Dictionary<string, JsonElement>? options, string key)
    {
        if (options is null || !options.TryGetValue(key, out var value)) return false;
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False or JsonValueKind.Null => false,
            JsonValueKind.String when bool.TryParse(value.GetString(), out var b) => b,
            _ => throw PlexusException.Invalid($"option {key} must be true or false, not {value.GetRawText()}"),
        };
    }
}
