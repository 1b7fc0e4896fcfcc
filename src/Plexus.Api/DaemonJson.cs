using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Plexus.Api;

/// <summary>Source-generated JSON for every shape the API reads or writes (no reflection at run time).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never, PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(List<NetworkJson>))]
[JsonSerializable(typeof(NetworkJson))]
[JsonSerializable(typeof(NetworkCreateJson))]
[JsonSerializable(typeof(NetworkCreateResponseJson))]
[JsonSerializable(typeof(NetworkConnectJson))]
[JsonSerializable(typeof(NetworkDisconnectJson))]
[JsonSerializable(typeof(NetworkPruneResponseJson))]
[JsonSerializable(typeof(List<ContainerSummaryJson>))]
[JsonSerializable(typeof(ContainerInspectJson))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(ErrorJson))]
[JsonSerializable(typeof(VersionJson))]
[JsonSerializable(typeof(InfoJson))]
[JsonSerializable(typeof(DiskUsageJson))]
[JsonSerializable(typeof(List<ImageSummaryJson>))]
[JsonSerializable(typeof(VolumeListJson))]
[JsonSerializable(typeof(EventMessageJson))]
[JsonSerializable(typeof(ExecCreateJson))]
[JsonSerializable(typeof(IdResponseJson))]
[JsonSerializable(typeof(ExecStartJson))]
[JsonSerializable(typeof(ExecInspectJson))]
[JsonSerializable(typeof(SandboxCreateJson))]
[JsonSerializable(typeof(SandboxCreateResponseJson))]
[JsonSerializable(typeof(ExecJson))]
[JsonSerializable(typeof(ExecResultJson))]
public sealed partial class DaemonJson : JsonSerializerContext
{
    /// <summary>
    /// What the daemon writes with: the same shapes, with text written as it is ("a+b", not "a\u002Bb"), as
    /// Docker writes it. The default encoder escapes '+', '&lt;', '&gt;', '&amp;' and non-ASCII text for HTML
    /// pages; clients compare what they read with what they sent, and a JSON API is not a page.
    /// </summary>
    public static DaemonJson Relaxed { get; } = new(new JsonSerializerOptions
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        PropertyNameCaseInsensitive = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
