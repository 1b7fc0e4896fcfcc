using System.Text.Json;
using System.Text.Json.Serialization;

namespace Plexus.Daemon.Plugin;

/// <summary>The plugin protocols' JSON, source-generated (NativeAOT: no reflection). Field names as Docker's Go structs spell them.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(ActivateResponse))]
[JsonSerializable(typeof(NetworkError))]
[JsonSerializable(typeof(IpamError))]
[JsonSerializable(typeof(Empty))]
[JsonSerializable(typeof(NetworkCapabilities))]
[JsonSerializable(typeof(CreateNetworkRequest))]
[JsonSerializable(typeof(NetworkIdRequest))]
[JsonSerializable(typeof(CreateEndpointRequest))]
[JsonSerializable(typeof(CreateEndpointResponse))]
[JsonSerializable(typeof(EndpointRequest))]
[JsonSerializable(typeof(EndpointInfoResponse))]
[JsonSerializable(typeof(JoinRequest))]
[JsonSerializable(typeof(JoinResponse))]
[JsonSerializable(typeof(ExternalConnectivityRequest))]
[JsonSerializable(typeof(List<DockerPortBinding>))]
[JsonSerializable(typeof(List<DockerTransportPort>))]
[JsonSerializable(typeof(AllocateNetworkResponse))]
[JsonSerializable(typeof(IpamCapabilitiesResponse))]
[JsonSerializable(typeof(AddressSpacesResponse))]
[JsonSerializable(typeof(RequestPoolRequest))]
[JsonSerializable(typeof(RequestPoolResponse))]
[JsonSerializable(typeof(ReleasePoolRequest))]
[JsonSerializable(typeof(RequestAddressRequest))]
[JsonSerializable(typeof(RequestAddressResponse))]
[JsonSerializable(typeof(ReleaseAddressRequest))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(Dictionary<string, JsonElement>))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(PluginIpamFile))]
internal sealed partial class PluginJson : JsonSerializerContext;
