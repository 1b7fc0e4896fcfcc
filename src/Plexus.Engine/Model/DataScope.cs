using System.Text.Json;
using System.Text.Json.Serialization;

namespace Plexus.Engine.Model;

/// <summary>
/// Where an object's truth lives (libnetwork's datastore scope): local objects in this host's store
/// (SQLite), global ones in the store the hosts share (etcd, for overlay networks). Written "local" and
/// "global", as Docker writes a network's scope.
/// </summary>
[JsonConverter(typeof(DataScopeJsonConverter))]
public enum DataScope
{
    Local,
    Global,
}

/// <summary>"local" / "global" in JSON; source-generated serialisation needs the converter by type.</summary>
public sealed class DataScopeJsonConverter() : JsonStringEnumConverter<DataScope>(JsonNamingPolicy.CamelCase, allowIntegerValues: false);
