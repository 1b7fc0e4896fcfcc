namespace Plexus.Cli.Arguments;

/// <summary>KEY=VALUE flags (--opt, --label, --aux-address, --filter) into maps, with docker's rules.</summary>
internal static class KeyValues
{
    /// <summary>Each "k=v" into the map; a later key wins. <paramref name="valueOptional"/> lets "k" alone mean "k=" (docker's --label).</summary>
    public static Dictionary<string, string>? ToMap(IEnumerable<string>? items, string flag, bool valueOptional = false)
    {
        if (items is null) return null;
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            var (key, value) = Split(item, flag, valueOptional);
            map[key] = value;
        }
        return map.Count == 0 ? null : map;
    }

    public static (string Key, string Value) Split(string item, string flag, bool valueOptional = false)
    {
        int eq = item.IndexOf('=', StringComparison.Ordinal);
        if (eq == 0 || (eq < 0 && !valueOptional) || item.Length == 0)
            throw new UsageException($"invalid {flag} '{item}': expected KEY=VALUE");
        return eq < 0 ? (item, "") : (item[..eq], item[(eq + 1)..]);
    }

    /// <summary>--filter k=v... as docker's filters map, values of one key collected in order.</summary>
    public static Dictionary<string, List<string>> Filters(IEnumerable<string>? items)
    {
        var filters = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var item in items ?? [])
        {
            var (key, value) = Split(item, "--filter");
            if (!filters.TryGetValue(key, out var list)) filters[key] = list = [];
            list.Add(value);
        }
        return filters;
    }
}
