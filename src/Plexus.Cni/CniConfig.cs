using System.Text.Json;
using Plexus.Api;

namespace Plexus.Cni;

/// <summary>
/// The network configuration on stdin, as a drop-in for the reference bridge plugin: the bridge plugin's keys
/// (bridge, isGateway, isDefaultGateway, ipMasq, mtu, hairpinMode, promiscMode), host-local's ipam keys (ranges
/// with subnet, rangeStart, rangeEnd, gateway; routes), Plexus's own (icc, internal, socket, names), the
/// runtime's capability arguments (runtimeConfig) and, in a chain, prevResult. Unknown keys are ignored, as
/// the spec asks; a known key of the wrong type is error 6 naming it, a value Plexus cannot honour error 2 or 7.
/// </summary>
internal sealed record CniConfig
{
    public required string CniVersion { get; init; }
    public required string Name { get; init; }

    /// <summary>plexusd's socket ("socket"), else PLEXUS_HOST, else the default.</summary>
    public string? Socket { get; init; }

    public required CniNetworkJson Network { get; init; }
    public required CniRuntimeJson Runtime { get; init; }

    /// <summary>The previous plugin's result in a chain (and CHECK's expected state), as given.</summary>
    public JsonElement? PrevResult { get; init; }

    /// <summary>GC: cni.dev/valid-attachments.</summary>
    public List<CniAttachmentKeyJson> ValidAttachments { get; init; } = [];

    /// <summary>The version asked for, read on its own: VERSION and every error answer in it, whatever else is wrong.</summary>
    public static string? VersionOf(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            using var doc = JsonDocument.ParseValue(ref reader);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("cniVersion", out var v) && v.ValueKind == JsonValueKind.String
                ? v.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Parses the configuration for one operation; <paramref name="args"/> are CNI_ARGS (IP=, MAC=).</summary>
    public static CniConfig Parse(ReadOnlySpan<byte> json, IReadOnlyDictionary<string, string>? args = null)
    {
        JsonDocument doc;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            doc = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException e)
        {
            throw new CniError(CniError.DecodeFailed, $"the network configuration on stdin is not JSON: {e.Message}");
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new CniError(CniError.DecodeFailed, "the network configuration on stdin is not a JSON object");
            var version = String(root, "cniVersion") ?? throw new CniError(CniError.InvalidConfig, "the network configuration has no cniVersion");
            if (!CniVersions.IsSupported(version))
                throw new CniError(CniError.IncompatibleVersion, $"cniVersion {version} is not supported by plexus: it speaks {string.Join(", ", CniVersions.Supported)}");
            var name = String(root, "name") ?? throw new CniError(CniError.InvalidConfig, "the network configuration has no name");
            var runtime = Object(root, "runtimeConfig");
            var ipam = Object(root, "ipam");
            var ranges = Ranges(name, ipam, runtime);
            var routes = ipam is { } i ? CheckIpam(name, i) : null;
            return new CniConfig
            {
                CniVersion = version,
                Name = name,
                Socket = String(root, "socket"),
                Network = new CniNetworkJson
                {
                    Name = name,
                    Bridge = String(root, "bridge"),
                    Mtu = Int(root, "mtu"),
                    IpMasq = Bool(root, "ipMasq") ?? false,
                    HairpinMode = Bool(root, "hairpinMode") ?? false,
                    PromiscMode = Bool(root, "promiscMode") ?? false,
                    IsGateway = Bool(root, "isGateway") ?? false,
                    IsDefaultGateway = Bool(root, "isDefaultGateway") ?? false,
                    Routes = routes,
                    Icc = Bool(root, "icc") ?? true,
                    Internal = Bool(root, "internal") ?? false,
                    Names = Bool(root, "names") ?? false,
                    Ranges = ranges,
                },
                Runtime = RuntimeOf(name, runtime, Object(root, "dns"), args),
                PrevResult = root.TryGetProperty("prevResult", out var prev) && prev.ValueKind == JsonValueKind.Object ? prev.Clone() : null,
                ValidAttachments = ValidAttachmentsOf(root),
            };
        }
    }

    /// <summary>
    /// Host-local's ranges (a list of range sets, flattened, each range saying its set: plexusd decides what it takes), its older flat form
    /// (subnet, rangeStart, rangeEnd, gateway on ipam itself), or the ipRanges capability, which replaces them.
    /// </summary>
    private static List<CniRangeJson>? Ranges(string network, JsonElement? ipam, JsonElement? runtime)
    {
        if (runtime is { } r && r.TryGetProperty("ipRanges", out var capability) && capability.ValueKind == JsonValueKind.Array && capability.GetArrayLength() > 0)
            return RangeSets(network, capability, "runtimeConfig.ipRanges");
        if (ipam is not { } i) return null;
        if (i.TryGetProperty("ranges", out var sets)) return RangeSets(network, sets, "ipam.ranges");
        if (String(i, "subnet") is { } subnet)
            return [new CniRangeJson { Subnet = subnet, RangeStart = String(i, "rangeStart"), RangeEnd = String(i, "rangeEnd"), Gateway = String(i, "gateway") }];
        return null;
    }

    private static List<CniRangeJson> RangeSets(string network, JsonElement sets, string where)
    {
        if (sets.ValueKind != JsonValueKind.Array) throw WrongType(where, "a list of range sets");
        var ranges = new List<CniRangeJson>();
        int i = 0;
        foreach (var set in sets.EnumerateArray())
        {
            if (set.ValueKind != JsonValueKind.Array) throw WrongType($"{where}[{i}]", "a list of ranges");
            if (set.GetArrayLength() == 0) throw new CniError(CniError.InvalidConfig, $"network {network}: {where}[{i}] is an empty range set");
            int j = 0;
            foreach (var range in set.EnumerateArray())
            {
                if (range.ValueKind != JsonValueKind.Object) throw WrongType($"{where}[{i}][{j}]", "an object");
                ranges.Add(new CniRangeJson
                {
                    Set = i,
                    Subnet = String(range, "subnet") ?? throw new CniError(CniError.InvalidConfig, $"network {network}: {where}[{i}][{j}] has no subnet"),
                    RangeStart = String(range, "rangeStart"),
                    RangeEnd = String(range, "rangeEnd"),
                    Gateway = String(range, "gateway"),
                });
                j++;
            }
            i++;
        }
        return ranges;
    }

    /// <summary>Plexus allocates addresses itself, as host-local would: other IPAM plugins are refused (2). Returns host-local's routes.</summary>
    private static List<CniRouteJson>? CheckIpam(string network, JsonElement ipam)
    {
        if (String(ipam, "type") is { } type && type != "host-local")
            throw new CniError(CniError.UnsupportedField, $"network {network}: ipam type {type} is not supported by plexus, which allocates addresses itself: use host-local's keys (ranges) or leave ipam out");
        if (!ipam.TryGetProperty("routes", out var routes) || routes.ValueKind == JsonValueKind.Null) return null;
        if (routes.ValueKind != JsonValueKind.Array) throw WrongType("ipam.routes", "a list");
        var list = new List<CniRouteJson>();
        int i = 0;
        foreach (var route in routes.EnumerateArray())
        {
            string where = $"ipam.routes[{i++}]";
            if (route.ValueKind != JsonValueKind.Object) throw WrongType(where, "an object");
            var dst = String(route, "dst", where) ?? throw new CniError(CniError.InvalidConfig, $"network {network}: {where} has no dst");
            list.Add(new CniRouteJson(dst, String(route, "gw", where)));
        }
        return list;
    }

    /// <summary>The capability arguments (runtimeConfig), with CNI_ARGS' IP, MAC and K8S_POD_NAME (an alias), and the network's dns when the runtime gives none.</summary>
    private static CniRuntimeJson RuntimeOf(string network, JsonElement? runtime, JsonElement? networkDns, IReadOnlyDictionary<string, string>? args)
    {
        var r = runtime ?? default;
        bool has = runtime is not null;
        var ips = has ? Strings(r, "ips", "runtimeConfig.ips") : null;
        if ((ips is null || ips.Count == 0) && args is not null && args.TryGetValue("IP", out var ip)) ips = [.. ip.Split(',')];
        var mac = has ? String(r, "mac") : null;
        if (mac is null && args is not null && args.TryGetValue("MAC", out var m)) mac = m;
        List<string>? aliases = null;
        if (has && r.TryGetProperty("aliases", out var byNetwork))
        {
            if (byNetwork.ValueKind != JsonValueKind.Object) throw WrongType("runtimeConfig.aliases", "an object of network names to lists of names");
            aliases = Strings(byNetwork, network, $"runtimeConfig.aliases.{network}");
        }
        // podman (CNI backend) gives only the short id as an alias, and the container's name in CNI_ARGS, as for Kubernetes: both are names.
        if (args is not null && args.TryGetValue("K8S_POD_NAME", out var pod) && pod.Length > 0 && !(aliases ?? []).Contains(pod)) aliases = [.. aliases ?? [], pod];
        var dns = has && r.TryGetProperty("dns", out var d) && d.ValueKind == JsonValueKind.Object ? d : networkDns;
        return new CniRuntimeJson
        {
            PortMappings = has ? PortMappings(r) : null,
            Ips = ips,
            Mac = mac,
            Aliases = aliases,
            DnsServers = dns is { } x ? Strings(x, "servers", "dns.servers") ?? Strings(x, "nameservers", "dns.nameservers") : null,
            DnsSearch = dns is { } y ? Strings(y, "searches", "dns.searches") ?? Strings(y, "search", "dns.search") : null,
            DnsOptions = dns is { } z ? Strings(z, "options", "dns.options") : null,
        };
    }

    private static List<CniPortMappingJson>? PortMappings(JsonElement runtime)
    {
        if (!runtime.TryGetProperty("portMappings", out var list)) return null;
        if (list.ValueKind != JsonValueKind.Array) throw WrongType("runtimeConfig.portMappings", "a list");
        var mappings = new List<CniPortMappingJson>();
        int i = 0;
        foreach (var entry in list.EnumerateArray())
        {
            string where = $"runtimeConfig.portMappings[{i++}]";
            if (entry.ValueKind != JsonValueKind.Object) throw WrongType(where, "an object");
            mappings.Add(new CniPortMappingJson
            {
                HostPort = Int(entry, "hostPort", where) ?? throw new CniError(CniError.InvalidConfig, $"{where} has no hostPort"),
                ContainerPort = Int(entry, "containerPort", where) ?? throw new CniError(CniError.InvalidConfig, $"{where} has no containerPort"),
                Protocol = String(entry, "protocol", where),
                HostIP = String(entry, "hostIP", where),
            });
        }
        return mappings;
    }

    private static List<CniAttachmentKeyJson> ValidAttachmentsOf(JsonElement root)
    {
        if (!root.TryGetProperty("cni.dev/valid-attachments", out var list)) return [];
        if (list.ValueKind != JsonValueKind.Array) throw WrongType("cni.dev/valid-attachments", "a list");
        return [.. list.EnumerateArray().Where(a => a.ValueKind == JsonValueKind.Object)
            .Select(a => new CniAttachmentKeyJson { ContainerId = String(a, "containerID"), IfName = String(a, "ifname") })];
    }

    private static JsonElement? Object(JsonElement parent, string key)
    {
        if (!parent.TryGetProperty(key, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        return value.ValueKind == JsonValueKind.Object ? value : throw WrongType(key, "an object");
    }

    private static string? String(JsonElement parent, string key, string? where = null)
    {
        if (!parent.TryGetProperty(key, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        return value.ValueKind == JsonValueKind.String ? value.GetString() : throw WrongType(where is null ? key : $"{where}.{key}", "a string");
    }

    private static bool? Bool(JsonElement parent, string key)
    {
        if (!parent.TryGetProperty(key, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw WrongType(key, "true or false"),
        };
    }

    private static int? Int(JsonElement parent, string key, string? where = null)
    {
        if (!parent.TryGetProperty(key, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n) ? n : throw WrongType(where is null ? key : $"{where}.{key}", "a whole number");
    }

    private static List<string>? Strings(JsonElement parent, string key, string where)
    {
        if (!parent.TryGetProperty(key, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String)) throw WrongType(where, "a list of strings");
        return [.. value.EnumerateArray().Select(e => e.GetString()!)];
    }

    private static CniError WrongType(string key, string expected) =>
        new(CniError.DecodeFailed, $"invalid network configuration: {key} must be {expected}");
}
