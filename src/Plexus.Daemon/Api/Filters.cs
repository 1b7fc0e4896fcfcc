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

    public bool Has(string name) => _values.ContainsKey(name);
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
