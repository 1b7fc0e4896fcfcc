using System.Text.Json.Serialization;

namespace Plexus.Api;

/// <summary>
/// One CNI operation as the plugin (`plexus-cni`) hands it to plexusd (POST /cni/add, /cni/del, /cni/check,
/// /cni/status, /cni/gc): the spec's environment and the parts of the network configuration that plexusd acts
/// on, already parsed by the plugin. The plugin renders the answer as the CNI result of the version asked for.
/// </summary>
public sealed record CniRequestJson
{
    /// <summary>CNI_CONTAINERID: the sandbox's name and key (with <see cref="IfName"/> the attachment's).</summary>
    public string? ContainerId { get; init; }

    /// <summary>CNI_NETNS: the namespace path (ADD; optional for DEL).</summary>
    public string? Netns { get; init; }

    /// <summary>CNI_IFNAME: the interface name inside the container.</summary>
    public string? IfName { get; init; }

    /// <summary>The network as the configuration defines it.</summary>
    public CniNetworkJson? Network { get; init; }

    /// <summary>Capability arguments (runtimeConfig) and CNI_ARGS the plugin understood.</summary>
    public CniRuntimeJson? Runtime { get; init; }

    /// <summary>GC: the attachments to keep (cni.dev/valid-attachments); every other one of the network goes.</summary>
    public List<CniAttachmentKeyJson>? ValidAttachments { get; init; }
}

/// <summary>A network from a CNI configuration: the bridge plugin's keys, host-local's ranges, Plexus's own keys.</summary>
public sealed record CniNetworkJson
{
    public string? Name { get; init; }

    /// <summary>The bridge device's name ("bridge"); null: Plexus names it.</summary>
    public string? Bridge { get; init; }

    public int? Mtu { get; init; }
    public bool IpMasq { get; init; }
    public bool HairpinMode { get; init; }
    public bool PromiscMode { get; init; }

    /// <summary>The bridge holds the gateway addresses (the bridge plugin's isGateway, false unless given, as there).</summary>
    public bool IsGateway { get; init; }

    /// <summary>Containers get their default routes via the bridge's gateways (implies <see cref="IsGateway"/>).</summary>
    public bool IsDefaultGateway { get; init; }

    /// <summary>host-local's routes: each container gets every one (a route without gw goes via its family's gateway).</summary>
    public List<CniRouteJson>? Routes { get; init; }

    /// <summary>Plexus's own: containers on the network may talk to each other (default true).</summary>
    public bool Icc { get; init; } = true;

    /// <summary>Plexus's own: nothing leaves the network.</summary>
    public bool Internal { get; init; }

    /// <summary>Plexus's own: containers find each other by name through Plexus's resolver at 127.0.0.11.</summary>
    public bool Names { get; init; }

    /// <summary>
    /// host-local's ranges, every range set's in order, each saying its set (<see cref="CniRangeJson.Set"/>): a set
    /// gives one address of its family, from the first of its ranges with one free; one set per address family.
    /// </summary>
    public List<CniRangeJson>? Ranges { get; init; }
}

/// <summary>One of host-local's ranges.</summary>
public sealed record CniRangeJson
{
    /// <summary>The index of the range set it belongs to; null: a set of its own (its position).</summary>
    public int? Set { get; init; }

    public string? Subnet { get; init; }
    public string? RangeStart { get; init; }
    public string? RangeEnd { get; init; }
    public string? Gateway { get; init; }
}

/// <summary>What the runtime asked for this one container.</summary>
public sealed record CniRuntimeJson
{
    public List<CniPortMappingJson>? PortMappings { get; init; }

    /// <summary>Addresses asked for ("10.1.0.5" or "10.1.0.5/24"), one per family at most.</summary>
    public List<string>? Ips { get; init; }

    public string? Mac { get; init; }

    /// <summary>Names this container is found by on the network (the aliases capability).</summary>
    public List<string>? Aliases { get; init; }

    /// <summary>The dns capability: where the container's resolver forwards what is not a container name.</summary>
    public List<string>? DnsServers { get; init; }

    public List<string>? DnsSearch { get; init; }
    public List<string>? DnsOptions { get; init; }
}

/// <summary>The portMappings capability's entry, as the portmap plugin takes it.</summary>
public sealed record CniPortMappingJson
{
    public int HostPort { get; init; }
    public int ContainerPort { get; init; }
    public string? Protocol { get; init; }

    [JsonPropertyName("hostIP")]
    public string? HostIP { get; init; }
}

/// <summary>One entry of cni.dev/valid-attachments.</summary>
public sealed record CniAttachmentKeyJson
{
    [JsonPropertyName("containerID")]
    public string? ContainerId { get; init; }

    [JsonPropertyName("ifname")]
    public string? IfName { get; init; }
}

/// <summary>ADD and CHECK's answer: the attachment as plexusd holds it (and, for CHECK, as the kernel has it).</summary>
public sealed record CniAttachmentJson
{
    public required CniInterfaceJson Bridge { get; init; }
    public required CniInterfaceJson HostInterface { get; init; }
    public required CniInterfaceJson ContainerInterface { get; init; }

    /// <summary>Addresses with prefix ("10.1.0.5/24") and the gateway of their subnet.</summary>
    public List<CniAddressJson> Addresses { get; init; } = [];

    public List<CniRouteJson> Routes { get; init; } = [];
    public CniDnsJson? Dns { get; init; }

    /// <summary>The published ports, as "0.0.0.0:8080->80/tcp".</summary>
    public List<string> Ports { get; init; } = [];

    /// <summary>CHECK: what the kernel shows of the interface differs from plexusd's record (empty: all well).</summary>
    public List<string> Problems { get; init; } = [];
}

public sealed record CniInterfaceJson
{
    public required string Name { get; init; }
    public string? Mac { get; init; }
    public int? Mtu { get; init; }

    /// <summary>The namespace path, for the container's interface.</summary>
    public string? Sandbox { get; init; }
}

public sealed record CniAddressJson(string Address, string? Gateway);

public sealed record CniRouteJson(string Dst, string? Gw);

public sealed record CniDnsJson
{
    public List<string> Nameservers { get; init; } = [];
    public List<string> Search { get; init; } = [];
    public List<string> Options { get; init; } = [];
}

/// <summary>A failure, with the CNI error code plexusd chose (the plugin passes it on) and the message naming the object.</summary>
public sealed record CniErrorJson(int Code, string Message);

/// <summary>Source-generated JSON for the CNI endpoints (no reflection in the daemon or the native plugin).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(CniRequestJson))]
[JsonSerializable(typeof(CniAttachmentJson))]
[JsonSerializable(typeof(CniErrorJson))]
public sealed partial class CniApiJson : JsonSerializerContext;
