using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Plexus.Cli.Templates;

/// <summary>
/// The values a template works on: JSON decoded as Go decodes it into interface{} — null, string, bool,
/// numbers (long when integral, else double), lists, and maps that keep the daemon's key order — and
/// their printing as Go's fmt prints them ("[a b]", "map[k:v]", "&lt;nil&gt;").
/// </summary>
internal static class GoValues
{
    private static readonly JsonWriterOptions CompactJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static object? FromJson(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Number => element.TryGetInt64(out var l) ? (object)l : element.GetDouble(),
        JsonValueKind.Array => element.EnumerateArray().Select(FromJson).ToList(),
        JsonValueKind.Object => ToMap(element),
        _ => null,
    };

    private static OrderedDictionary<string, object?> ToMap(JsonElement element)
    {
        var map = new OrderedDictionary<string, object?>(StringComparer.Ordinal);
        foreach (var p in element.EnumerateObject()) map[p.Name] = FromJson(p.Value);
        return map;
    }

    /// <summary>What {{.X}} prints: like fmt's %v, except that nil (JSON null or an absent key) is "&lt;no value&gt;".</summary>
    public static string Print(object? value) => value is null ? "<no value>" : Format(value);

    /// <summary>Go's %v of a value decoded from JSON.</summary>
    public static string Format(object? value)
    {
        var sb = new StringBuilder();
        Append(sb, value);
        return sb.ToString();
    }

    private static void Append(StringBuilder sb, object? value)
    {
        switch (value)
        {
            case null:
                sb.Append("<nil>");
                break;
            case string s:
                sb.Append(s);
                break;
            case bool b:
                sb.Append(b ? "true" : "false");
                break;
            case long l:
                sb.Append(l.ToString(CultureInfo.InvariantCulture));
                break;
            case int i:
                sb.Append(i.ToString(CultureInfo.InvariantCulture));
                break;
            case double d:
                sb.Append(FormatFloat(d));
                break;
            case IReadOnlyList<object?> list:
                sb.Append('[');
                for (int i = 0; i < list.Count; i++)
                {
                    if (i > 0) sb.Append(' ');
                    Append(sb, list[i]);
                }
                sb.Append(']');
                break;
            case IReadOnlyDictionary<string, object?> map:
                // Go prints map keys sorted.
                sb.Append("map[");
                bool first = true;
                foreach (var key in map.Keys.Order(StringComparer.Ordinal))
                {
                    if (!first) sb.Append(' ');
                    first = false;
                    sb.Append(key).Append(':');
                    Append(sb, map[key]);
                }
                sb.Append(']');
                break;
            default:
                sb.Append(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }

    /// <summary>
    /// Go's %v of a float64 (strconv 'g' with the shortest precision): the shortest digits that round-trip,
    /// in exponent form when the exponent is below -4 or at least 6, so 1e+06 and 1.5e-05 but 123456.5.
    /// </summary>
    public static string FormatFloat(double d)
    {
        if (double.IsNaN(d)) return "NaN";
        if (double.IsPositiveInfinity(d)) return "+Inf";
        if (double.IsNegativeInfinity(d)) return "-Inf";
        if (d == 0) return double.IsNegative(d) ? "-0" : "0";

        // .NET's "R" gives the shortest round-trip digits; rewrite them as 0.DIGITS × 10^point.
        var shortest = Math.Abs(d).ToString("R", CultureInfo.InvariantCulture);
        string mantissa = shortest;
        int exp10 = 0;
        int e = shortest.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            mantissa = shortest[..e];
            exp10 = int.Parse(shortest.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        }
        int dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        string digits = dot < 0 ? mantissa : mantissa.Remove(dot, 1);
        int point = (dot < 0 ? mantissa.Length : dot) + exp10;
        int leadingZeros = digits.Length - digits.TrimStart('0').Length;
        digits = digits.Trim('0');
        point -= leadingZeros;

        var sb = new StringBuilder();
        if (d < 0) sb.Append('-');
        int exponent = point - 1;
        if (exponent < -4 || exponent >= 6)
        {
            sb.Append(digits[0]);
            if (digits.Length > 1) sb.Append('.').Append(digits.AsSpan(1));
            sb.Append('e').Append(exponent < 0 ? '-' : '+');
            int abs = Math.Abs(exponent);
            if (abs < 10) sb.Append('0');
            return sb.Append(abs.ToString(CultureInfo.InvariantCulture)).ToString();
        }
        if (point <= 0)
            sb.Append("0.").Append('0', -point).Append(digits);
        else if (point >= digits.Length)
            sb.Append(digits).Append('0', point - digits.Length);
        else
            sb.Append(digits.AsSpan(0, point)).Append('.').Append(digits.AsSpan(point));
        return sb.ToString();
    }

    /// <summary>Go's truth for {{if}}: false, 0, nil and empty strings, lists and maps are false.</summary>
    public static bool IsTrue(object? value) => value switch
    {
        null => false,
        bool b => b,
        long l => l != 0,
        int i => i != 0,
        double d => d != 0,
        string s => s.Length > 0,
        IReadOnlyList<object?> list => list.Count > 0,
        IReadOnlyDictionary<string, object?> map => map.Count > 0,
        _ => true,
    };

    /// <summary>The Go type a value decoded from JSON has, for error messages.</summary>
    public static string TypeName(object? value) => value switch
    {
        null => "<nil>",
        string => "string",
        bool => "bool",
        long or int => "int",
        double => "float64",
        IReadOnlyList<object?> => "[]interface {}",
        IReadOnlyDictionary<string, object?> => "map[string]interface {}",
        _ => value.GetType().Name,
    };

    /// <summary>{{json .}}: compact JSON, keys in the daemon's order.</summary>
    public static string ToJson(object? value)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, CompactJson))
            WriteJson(writer, value);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteJson(Utf8JsonWriter w, object? value)
    {
        switch (value)
        {
            case null: w.WriteNullValue(); break;
            case string s: w.WriteStringValue(s); break;
            case bool b: w.WriteBooleanValue(b); break;
            case long l: w.WriteNumberValue(l); break;
            case int i: w.WriteNumberValue(i); break;
            case double d: w.WriteNumberValue(d); break;
            case IReadOnlyList<object?> list:
                w.WriteStartArray();
                foreach (var item in list) WriteJson(w, item);
                w.WriteEndArray();
                break;
            case IReadOnlyDictionary<string, object?> map:
                w.WriteStartObject();
                foreach (var (k, v) in map)
                {
                    w.WritePropertyName(k);
                    WriteJson(w, v);
                }
                w.WriteEndObject();
                break;
            default: w.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture)); break;
        }
    }
}
