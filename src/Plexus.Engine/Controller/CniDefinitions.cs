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
            .Select(k => $"{k} is {a.GetValueOrDefault(k) ?? "unset"} there, {b.GetValueOrDefault(k) ?? "unset"} here");
        return string.Join("; ", parts);
    }

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
