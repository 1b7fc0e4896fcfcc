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
[JsonSerializable(typeof(SandboxCreateJson))]
[JsonSerializable(typeof(SandboxCreateResponseJson))]
[JsonSerializable(typeof(ExecJson))]
[JsonSerializable(typeof(ExecResultJson))]
public sealed partial class DaemonJson : JsonSerializerContext;
