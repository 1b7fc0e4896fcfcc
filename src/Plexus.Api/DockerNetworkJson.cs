using System.Text.Json.Serialization;

namespace Plexus.Api;

// The Docker Engine API's network shapes (API v1.41+), field names as Docker spells them.

/// <summary>One IPAM configuration; what was not given is left out, as Docker's omitempty does.</summary>
public sealed record IpamConfigJson
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Subnet { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? IPRange { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Gateway { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Dictionary<string, string>? AuxiliaryAddresses { get; init; }
}

public sealed record IpamJson
{
    public string Driver { get; init; } = "default";
    public Dictionary<string, string>? Options { get; init; }
    public List<IpamConfigJson>? Config { get; init; }
}

public sealed record NetworkContainerJson
{
    public string Name { get; init; } = "";
    public string EndpointID { get; init; } = "";
    public string MacAddress { get; init; } = "";
    public string IPv4Address { get; init; } = "";
    public string IPv6Address { get; init; } = "";
}

public sealed record NetworkJson
{
    public string Name { get; init; } = "";
    public string Id { get; init; } = "";
    public DateTimeOffset Created { get; init; }
    public string Scope { get; init; } = "local";
    public string Driver { get; init; } = "";
    public bool EnableIPv4 { get; init; } = true;
    public bool EnableIPv6 { get; init; }
    public IpamJson IPAM { get; init; } = new();
    public bool Internal { get; init; }
    public bool Attachable { get; init; }
    public bool Ingress { get; init; }
    public ConfigFromJson ConfigFrom { get; init; } = new();
    public bool ConfigOnly { get; init; }
    public Dictionary<string, NetworkContainerJson> Containers { get; init; } = [];
    public Dictionary<string, string> Options { get; init; } = [];
    public Dictionary<string, string> Labels { get; init; } = [];
}

public sealed record ConfigFromJson
{
    public string Network { get; init; } = "";
}

public sealed record NetworkCreateJson
{
    public string? Name { get; init; }
    public bool? CheckDuplicate { get; init; }
    public string? Driver { get; init; }
    public string? Scope { get; init; }
    public bool? Internal { get; init; }
    public bool? Attachable { get; init; }
    public bool? Ingress { get; init; }
    public IpamJson? IPAM { get; init; }
    public bool? EnableIPv4 { get; init; }
    public bool? EnableIPv6 { get; init; }
    public Dictionary<string, string>? Options { get; init; }
    public Dictionary<string, string>? Labels { get; init; }
    public bool? ConfigOnly { get; init; }
    public ConfigFromJson? ConfigFrom { get; init; }
}

public sealed record NetworkCreateResponseJson(string Id, string Warning);

/// <summary>The addresses asked for on connect; each left out when not asked (Docker's omitempty).</summary>
public sealed record EndpointIpamConfigJson
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? IPv4Address { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? IPv6Address { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<string>? LinkLocalIPs { get; init; }
}

public sealed record EndpointSettingsJson
{
    public EndpointIpamConfigJson? IPAMConfig { get; init; }
    public List<string>? Links { get; init; }
    public List<string>? Aliases { get; init; }
    public string? MacAddress { get; init; }
    public int? GwPriority { get; init; }
    public string? NetworkID { get; init; }
    public string? EndpointID { get; init; }
    public string? Gateway { get; init; }
    public string? IPAddress { get; init; }
    public int? IPPrefixLen { get; init; }
    public string? IPv6Gateway { get; init; }
    public string? GlobalIPv6Address { get; init; }
    public int? GlobalIPv6PrefixLen { get; init; }
    public Dictionary<string, string>? DriverOpts { get; init; }
    public List<string>? DNSNames { get; init; }
}

public sealed record NetworkConnectJson
{
    public string? Container { get; init; }
    public EndpointSettingsJson? EndpointConfig { get; init; }
}

public sealed record NetworkDisconnectJson
{
    public string? Container { get; init; }
    public bool? Force { get; init; }
}

public sealed record NetworkPruneResponseJson(List<string> NetworksDeleted);

public sealed record ErrorJson([property: JsonPropertyName("message")] string Message);
