namespace Plexus.Engine.Controller;

/// <summary>
/// A network's definition from a CNI configuration as text: one "key=value" a line, in a fixed order, so two
/// configurations define the same network exactly when their texts are equal, and a difference can be named.
/// </summary>
public static class CniDefinitions
{
    /// <summary>The text of <paramref name="settings"/>, in their order; null values are left out.</summary>
    public static string Format(IEnumerable<(string Key, string? Value)> settings) =>
        string.Join('\n', settings.Where(s => s.Value is not null).Select(s => $"{s.Key}={s.Value}"));

    /// <summary>What differs, as "subnet is 10.1.0.0/24 there, 10.2.0.0/24 here; mtu is unset there, 1400 here".</summary>
    public static string Difference(string there, string here)
    {
        var a = Parse(there);
        var b = Parse(here);
        var parts = a.Keys.Union(b.Keys, StringComparer.Ordinal)
            .Where(k => !string.Equals(a.GetValueOrDefault(k), b.GetValueOrDefault(k), StringComparison.Ordinal))
            .Select(k => $"{k} is {Shown(a.GetValueOrDefault(k))} there, {Shown(b.GetValueOrDefault(k))} here");
        return string.Join("; ", parts);
    }

    /// <summary>
    /// A definition kept by an earlier plexus-cni, which had no isGateway, defaultRoutes or routes keys (it always put
    /// the gateway on the bridge and gave a default route of each family) and recorded hairpinMode and promiscMode
    /// without applying them, as what the network does today: those keys as its bridge options make it behave.
    /// Null for a definition of today's plugin, which has them all.
    /// </summary>
    public static string? OfEarlierPlugin(string had, Drivers.Bridge.BridgeOptions options, string? routes)
    {
        ArgumentNullException.ThrowIfNull(options);
        var values = Parse(had);
        if (values.ContainsKey("isGateway")) return null;
        values["hairpinMode"] = options.Hairpin ? "true" : "false";
        values["promiscMode"] = options.Promiscuous ? "true" : "false";
        values["isGateway"] = options.IsGateway ? "true" : "false";
        values["defaultRoutes"] = string.Join(',', new[] { options.DefaultRouteV4 ? "ipv4" : null, options.DefaultRouteV6 ? "ipv6" : null }.OfType<string>());
        if (routes is { Length: > 0 }) values["routes"] = routes;
        return Format(values.Select(v => (v.Key, (string?)v.Value)));
    }

    /// <summary>
    /// As <see cref="Difference(string, string)"/>, but a default route for a family the network has no subnet of is no
    /// difference (isDefaultGateway asks for both, routes for one; on an IPv4-only network they mean the same).
    /// </summary>
    public static string Difference(string there, string here, bool hasIPv4, bool hasIPv6)
    {
        var a = Normalised(there, hasIPv4, hasIPv6);
        var b = Normalised(here, hasIPv4, hasIPv6);
        return Difference(a, b);
    }

    private static string Normalised(string text, bool hasIPv4, bool hasIPv6)
    {
        var values = Parse(text);
        if (values.TryGetValue("defaultRoutes", out var families))
            values["defaultRoutes"] = string.Join(',', families.Split(',').Where(f => (f == "ipv4" && hasIPv4) || (f == "ipv6" && hasIPv6)));
        return Format(values.Select(v => (v.Key, (string?)v.Value)));
    }

    private static string Shown(string? value) => value switch { null => "unset", "" => "none", _ => value };

    private static Dictionary<string, string> Parse(string text)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0) values[line[..eq]] = line[(eq + 1)..];
        }
        return values;
    }
}
