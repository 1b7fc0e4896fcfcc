using Plexus.Api;
using System.Text.Json;
using Plexus.Engine.Model;

namespace Plexus.Daemon.Api;

/// <summary>
/// Docker's `filters` query parameter: a JSON object of name to values, either {"name":["web"]} or the
/// older {"name":{"web":true}}.
/// </summary>
internal sealed class Filters
{
    private readonly Dictionary<string, List<string>> _values;

    private Filters(Dictionary<string, List<string>> values) => _values = values;

    public static Filters Parse(string? json, params string[] allowed)
    {
        var values = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(json)) return new Filters(values);
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw PlexusException.Invalid("invalid filters: expected a JSON object of lists, e.g. {\"name\":[\"web\"]}");
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                if (!allowed.Contains(property.Name))
                    throw PlexusException.Invalid($"invalid filter '{property.Name}' (supported: {string.Join(", ", allowed)})");
                var list = values[property.Name] = [];
                if (property.Value.ValueKind == JsonValueKind.Array)
                    list.AddRange(property.Value.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.String
                        ? v.GetString()!
                        : throw PlexusException.Invalid($"invalid filter '{property.Name}': its values must be strings")));
                else if (property.Value.ValueKind == JsonValueKind.Object)
                    list.AddRange(property.Value.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.True).Select(p => p.Name));
                else
                    throw PlexusException.Invalid($"invalid filter '{property.Name}': expected a list of values");
            }
        }
        catch (JsonException e)
        {
            throw PlexusException.Invalid($"invalid filters: {e.Message}");
        }
        return new Filters(values);
    }

    /// <summary>True when the filter is absent or any of its values satisfies <paramref name="match"/>.</summary>
    public bool Accepts(string name, Func<string, bool> match) =>
        !_values.TryGetValue(name, out var list) || list.Count == 0 || list.Exists(v => match(v));

    /// <summary>True when the filter is absent or every one of its values satisfies <paramref name="match"/> (Docker's label filters).</summary>
    public bool AcceptsAll(string name, Func<string, bool> match) =>
        !_values.TryGetValue(name, out var list) || list.TrueForAll(v => match(v));

    /// <summary>Docker's Match: a value equal to <paramref name="source"/> or a regular expression found in it.</summary>
    public bool Matches(string name, string source) => Accepts(name, v => v == source || Pattern.IsMatch(v, source));

    /// <summary>Docker's FuzzyMatch: a value equal to <paramref name="source"/> or a prefix of it.</summary>
    public bool FuzzyMatches(string name, string source) => Accepts(name, v => source.StartsWith(v, StringComparison.Ordinal));

    public bool Has(string name) => _values.ContainsKey(name);

    public IReadOnlyList<string> Values(string name) => _values.TryGetValue(name, out var list) ? list : [];

    /// <summary>The single value of a filter that takes one (Docker: "more than one NAME filter specified"); null when absent.</summary>
    public string? Single(string name)
    {
        var values = Values(name);
        if (values.Count > 1) throw PlexusException.Invalid($"more than one {name} filter specified");
        return values.Count == 1 ? values[0] : null;
    }
}

/// <summary>Docker's label filter: "key" (present) or "key=value".</summary>
internal static class Labels
{
    public static bool Match(IReadOnlyDictionary<string, string> labels, string filter)
    {
        int eq = filter.IndexOf('=', StringComparison.Ordinal);
        return eq < 0 ? labels.ContainsKey(filter) : labels.TryGetValue(filter[..eq], out var value) && value == filter[(eq + 1)..];
    }
}

/// <summary>Filter values as Go regular expressions (Docker's name and status filters); a value that is no valid pattern matches nothing.</summary>
internal static class Pattern
{
    public static bool IsMatch(string pattern, string source)
    {
        try
        {
            return System.Text.RegularExpressions.Regex.IsMatch(source, pattern, System.Text.RegularExpressions.RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (System.Text.RegularExpressions.RegexMatchTimeoutException)
        {
            return false;
        }
    }
}
