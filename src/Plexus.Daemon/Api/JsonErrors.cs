using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using Plexus.Api;

namespace Plexus.Daemon.Api;

/// <summary>
/// A request body the JSON reader refused, said for the person who sent it: where in the body (the field's
/// path, such as $.IPAM.Config[0].Subnet), and for a value of the wrong type what the field takes, found by
/// walking the body's source-generated metadata along that path (no reflection).
/// </summary>
internal static partial class JsonErrors
{
    [GeneratedRegex(@"^\$|\.(?<name>[^.\[]+)|\['(?<quoted>[^']*)'\]|\[(?<index>\d+)\]")]
    private static partial Regex PathSegment();

    public static string Describe(JsonException error, Type? bodyType)
    {
        var text = error.Message;
        // The reader appends "Path: $.x | LineNumber: 0 | BytePositionInLine: 9."; the path is said first instead.
        int cut = text.IndexOf(" Path: ", StringComparison.Ordinal);
        if (cut < 0) cut = text.IndexOf(" LineNumber: ", StringComparison.Ordinal);
        var reason = (cut >= 0 ? text[..cut] : text).TrimEnd('.', ' ');
        var path = error.Path is { Length: > 0 } p ? p : "$";
        if (reason.StartsWith("The JSON value could not be converted to", StringComparison.Ordinal))
        {
            if (path == "$") return "invalid JSON in the request body: it must be a JSON object";
            var expected = bodyType is null ? null : ExpectedAt(bodyType, path);
            reason = expected is null ? "the value has the wrong type for this field, or is out of its range" : $"expected {expected}";
        }
        var where = path != "$" ? $" at {path}" : "";
        var position = error.BytePositionInLine is { } column ? $" (line {error.LineNumber + 1}, byte {column + 1})" : "";
        return $"invalid JSON in the request body{where}{position}: {reason}";
    }

    /// <summary>What the field at <paramref name="path"/> of <paramref name="bodyType"/> takes, in JSON's words; null if the path leads nowhere.</summary>
    internal static string? ExpectedAt(Type bodyType, string path)
    {
        var options = DaemonJson.Default.Options;
        if (!options.TryGetTypeInfo(bodyType, out var info)) return null;
        foreach (Match m in PathSegment().Matches(path))
        {
            if (m.Value == "$") continue;
            if (m.Groups["index"].Success)
            {
                if (info.ElementType is not { } element || !options.TryGetTypeInfo(element, out info)) return null;
                continue;
            }
            var name = m.Groups["name"].Success ? m.Groups["name"].Value : m.Groups["quoted"].Value;
            if (info.Kind == JsonTypeInfoKind.Dictionary)
            {
                if (info.ElementType is not { } value || !options.TryGetTypeInfo(value, out info)) return null;
                continue;
            }
            var property = info.Properties.FirstOrDefault(x => string.Equals(x.Name, name, StringComparison.OrdinalIgnoreCase));
            if (property is null || !options.TryGetTypeInfo(property.PropertyType, out info)) return null;
        }
        return Describe(info);
    }

    private static string Describe(JsonTypeInfo info)
    {
        var type = Nullable.GetUnderlyingType(info.Type) ?? info.Type;
        return info.Kind switch
        {
            JsonTypeInfoKind.Enumerable => info.ElementType == typeof(string) ? "a list of strings" : "a list",
            JsonTypeInfoKind.Dictionary => info.ElementType == typeof(string) ? "an object of strings" : "an object",
            JsonTypeInfoKind.Object => "an object",
            _ when type == typeof(string) => "a string",
            _ when type == typeof(bool) => "true or false",
            _ when type == typeof(int) => "an integer from -2147483648 to 2147483647",
            _ when type == typeof(long) => "an integer",
            _ => "a value of another type",
        };
    }
}
