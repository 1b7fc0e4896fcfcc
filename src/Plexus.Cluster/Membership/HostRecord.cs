using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using Plexus.Engine.Cluster;

namespace Plexus.Cluster.Membership;

/// <summary>A host's registration as stored at /hosts/ID: JSON, so other versions and tools can read it.</summary>
internal sealed record HostRecord
{
    public const string Prefix = "/hosts/";

    public required string Id { get; init; }
    public required string Advertise { get; init; }
    public required string Vtep { get; init; }

    public static string Key(string id) => Prefix + id;

    public static string Write(ClusterHost host) =>
        JsonSerializer.Serialize(new HostRecord { Id = host.Id, Advertise = host.Advertise, Vtep = host.Vtep.ToString() }, ClusterJson.Default.HostRecord);

    /// <summary>The host a record describes, or null for a record this version cannot read (it is skipped, not fatal).</summary>
    public static ClusterHost? Read(string json)
    {
        try
        {
            var record = JsonSerializer.Deserialize(json, ClusterJson.Default.HostRecord);
            return record is not null && IPAddress.TryParse(record.Vtep, out var vtep) ? new ClusterHost(record.Id, record.Advertise, vtep) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(HostRecord))]
internal sealed partial class ClusterJson : JsonSerializerContext;
