using System.Text.Json;
using Plexus.Api;

namespace Plexus.Cni;

/// <summary>
/// Writes the spec's result in the version the configuration asked for: interfaces (the bridge, the host end,
/// the container's interface with its MAC and sandbox path), ips with their gateway and interface index,
/// routes and dns. Before 1.0.0 each address also says its family ("version"). In a chain, what the previous
/// plugins returned (prevResult) comes first and is kept as it was.
/// </summary>
internal static class CniResult
{
    public static void Write(Utf8JsonWriter w, string version, CniAttachmentJson attachment, JsonElement? prevResult)
    {
        bool withVersion = CniVersions.AddressesHaveVersion(version);
        w.WriteStartObject();
        w.WriteString("cniVersion", version);

        w.WriteStartArray("interfaces");
        int offset = 0;
        if (prevResult is { } prev && prev.TryGetProperty("interfaces", out var prevInterfaces) && prevInterfaces.ValueKind == JsonValueKind.Array)
        {
            foreach (var i in prevInterfaces.EnumerateArray())
            {
                i.WriteTo(w);
                offset++;
            }
        }
        int containerIndex = offset;
        if (attachment.Bridge.Name.Length > 0)
        {
            Interface(w, attachment.Bridge, version);
            containerIndex++;
        }
        if (attachment.HostInterface.Name.Length > 0)
        {
            Interface(w, attachment.HostInterface, version);
            containerIndex++;
        }
        Interface(w, attachment.ContainerInterface, version);
        w.WriteEndArray();

        w.WriteStartArray("ips");
        if (prevResult is { } p1 && p1.TryGetProperty("ips", out var prevIps) && prevIps.ValueKind == JsonValueKind.Array)
            foreach (var ip in prevIps.EnumerateArray()) Address(w, ip, withVersion);
        foreach (var address in attachment.Addresses)
        {
            w.WriteStartObject();
            if (withVersion) w.WriteString("version", address.Address.Contains(':', StringComparison.Ordinal) ? "6" : "4");
            w.WriteString("address", address.Address);
            if (address.Gateway is { } gateway) w.WriteString("gateway", gateway);
            w.WriteNumber("interface", containerIndex);
            w.WriteEndObject();
        }
        w.WriteEndArray();

        w.WriteStartArray("routes");
        if (prevResult is { } p2 && p2.TryGetProperty("routes", out var prevRoutes) && prevRoutes.ValueKind == JsonValueKind.Array)
            foreach (var route in prevRoutes.EnumerateArray()) route.WriteTo(w);
        foreach (var route in attachment.Routes)
        {
            w.WriteStartObject();
            w.WriteString("dst", route.Dst);
            if (route.Gw is { } gw) w.WriteString("gw", gw);
            w.WriteEndObject();
        }
        w.WriteEndArray();

        w.WritePropertyName("dns");
        if (attachment.Dns is { } dns)
        {
            w.WriteStartObject();
            Strings(w, "nameservers", dns.Nameservers);
            if (dns.Search.Count > 0) Strings(w, "search", dns.Search);
            if (dns.Options.Count > 0) Strings(w, "options", dns.Options);
            w.WriteEndObject();
        }
        else if (prevResult is { } p3 && p3.TryGetProperty("dns", out var prevDns) && prevDns.ValueKind == JsonValueKind.Object)
        {
            prevDns.WriteTo(w);
        }
        else
        {
            w.WriteStartObject();
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    /// <summary>A previous result's address in this version: "version" added before 1.0.0, dropped from 1.0.0 on.</summary>
    private static void Address(Utf8JsonWriter w, JsonElement ip, bool withVersion)
    {
        if (ip.ValueKind != JsonValueKind.Object)
        {
            ip.WriteTo(w);
            return;
        }
        w.WriteStartObject();
        if (withVersion && !ip.TryGetProperty("version", out _) && ip.TryGetProperty("address", out var a) && a.ValueKind == JsonValueKind.String)
            w.WriteString("version", a.GetString()!.Contains(':', StringComparison.Ordinal) ? "6" : "4");
        foreach (var property in ip.EnumerateObject())
        {
            if (!withVersion && property.NameEquals("version")) continue;
            property.WriteTo(w);
        }
        w.WriteEndObject();
    }

    /// <summary>An interface; its MTU only from 1.1.0, the first version whose results have it.</summary>
    private static void Interface(Utf8JsonWriter w, CniInterfaceJson i, string version)
    {
        w.WriteStartObject();
        w.WriteString("name", i.Name);
        if (i.Mac is { } mac) w.WriteString("mac", mac);
        if (i.Mtu is { } mtu && CniVersions.InterfacesHaveMtu(version)) w.WriteNumber("mtu", mtu);
        if (i.Sandbox is { } sandbox) w.WriteString("sandbox", sandbox);
        w.WriteEndObject();
    }

    private static void Strings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteStringValue(v);
        w.WriteEndArray();
    }

    /// <summary>The spec's error object: cniVersion, code, msg, details.</summary>
    public static void WriteError(Utf8JsonWriter w, string version, CniError error)
    {
        w.WriteStartObject();
        w.WriteString("cniVersion", version);
        w.WriteNumber("code", error.Code);
        w.WriteString("msg", error.Message);
        if (error.Details is { } details) w.WriteString("details", details);
        w.WriteEndObject();
    }

    /// <summary>VERSION's answer.</summary>
    public static void WriteVersions(Utf8JsonWriter w, string version)
    {
        w.WriteStartObject();
        w.WriteString("cniVersion", version);
        Strings(w, "supportedVersions", CniVersions.Supported);
        w.WriteEndObject();
    }

    /// <summary>
    /// CHECK: what in <paramref name="prevResult"/> disagrees with the attachment plexusd holds: the container's
    /// interface (by name and sandbox) and its MAC, its addresses, and the routes it lists through our gateway.
    /// </summary>
    public static List<string> Compare(JsonElement prevResult, CniAttachmentJson attachment)
    {
        var problems = new List<string>();
        var container = attachment.ContainerInterface;
        int index = -1, n = 0;
        if (prevResult.TryGetProperty("interfaces", out var interfaces) && interfaces.ValueKind == JsonValueKind.Array)
        {
            foreach (var i in interfaces.EnumerateArray())
            {
                if (i.ValueKind == JsonValueKind.Object && Text(i, "name") == container.Name && Text(i, "sandbox") is { Length: > 0 })
                {
                    index = n;
                    if (Text(i, "mac") is { } mac && container.Mac is { } have && !string.Equals(mac, have, StringComparison.OrdinalIgnoreCase))
                        problems.Add($"interface {container.Name} has MAC {have}, prevResult says {mac}");
                    if (Text(i, "sandbox") is { } sandbox && container.Sandbox is { } path && sandbox != path)
                        problems.Add($"interface {container.Name} is in {path}, prevResult says {sandbox}");
                }
                n++;
            }
        }
        if (index < 0) problems.Add($"prevResult lists no interface {container.Name} in a sandbox");
        var expected = new HashSet<string>(StringComparer.Ordinal);
        if (prevResult.TryGetProperty("ips", out var ips) && ips.ValueKind == JsonValueKind.Array)
            foreach (var ip in ips.EnumerateArray())
                if (ip.ValueKind == JsonValueKind.Object && (!ip.TryGetProperty("interface", out var at) || (at.TryGetInt32(out var k) && k == index)) && Text(ip, "address") is { } address)
                    expected.Add(address);
        var have2 = attachment.Addresses.Select(a => a.Address).ToHashSet(StringComparer.Ordinal);
        foreach (var address in expected.Where(a => !have2.Contains(a))) problems.Add($"address {address} of prevResult is not interface {container.Name}'s in plexusd");
        foreach (var address in have2.Where(a => !expected.Contains(a))) problems.Add($"interface {container.Name} has address {address}, which prevResult does not list");
        if (prevResult.TryGetProperty("routes", out var routes) && routes.ValueKind == JsonValueKind.Array)
        {
            var ours = attachment.Routes.Select(r => $"{r.Dst} via {r.Gw}").ToHashSet(StringComparer.Ordinal);
            var gateways = attachment.Routes.Select(r => r.Gw).ToHashSet(StringComparer.Ordinal);
            foreach (var route in routes.EnumerateArray())
            {
                if (route.ValueKind != JsonValueKind.Object || Text(route, "gw") is not { } gw || !gateways.Contains(gw)) continue;
                if (!ours.Contains($"{Text(route, "dst")} via {gw}")) problems.Add($"route to {Text(route, "dst")} via {gw} of prevResult is missing");
            }
        }
        return problems;
    }

    private static string? Text(JsonElement e, string key) =>
        e.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
