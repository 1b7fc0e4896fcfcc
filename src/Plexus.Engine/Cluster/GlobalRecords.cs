using System.Text.Json.Serialization;

namespace Plexus.Engine.Cluster;

/// <summary>
/// A joined endpoint of a global network as every host sees it (/overlay/endpoints/NETWORK/ENDPOINT): enough for
/// another host to reach it (static FDB: MAC to <see cref="Vtep"/>; neighbour: <see cref="IPv4"/> to MAC) and to
/// name it.
/// </summary>
public sealed record OverlayEndpointRecord
{
    public required string Network { get; init; }
    public required string Endpoint { get; init; }
    public required string Name { get; init; }

    /// <summary>The names the embedded resolver answers for it: its sandbox's name and short id, its aliases.</summary>
    public IReadOnlyList<string> Names { get; init; } = [];

    public string? IPv4 { get; init; }
    public required string Mac { get; init; }
    public required string Host { get; init; }
    public required string Vtep { get; init; }
}

/// <summary>One subnet held by a global network, in /ipam/pools.</summary>
public sealed record GlobalPool(string Subnet, string Network, string Name);

/// <summary>Who holds an address of a global network (/ipam/addresses/NETWORK/IP).</summary>
public sealed record AddressHolder(string Host);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(OverlayEndpointRecord))]
[JsonSerializable(typeof(List<GlobalPool>))]
[JsonSerializable(typeof(AddressHolder))]
internal sealed partial class ClusterJsonContext : JsonSerializerContext;

/// <summary>A subnet of a network being made that overlaps <paramref name="Pool"/>, a subnet of another global network.</summary>
public sealed record PoolOverlap(System.Net.IPNetwork Subnet, GlobalPool Pool)
{
    public string Describe(string networkName) => $"network {networkName}: subnet {Subnet} overlaps subnet {Pool.Subnet} of global network {Pool.Name}";
}
