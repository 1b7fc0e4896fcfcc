using System.Globalization;
using System.Text;

namespace Plexus.Cli.Templates;

/// <summary>
/// The functions a --format template can call: Go's builtins that make sense over JSON (and, or, not, len,
/// index, print, printf, println, eq, ne, lt, le, gt, ge) and docker's additions (json, join, split,
/// lower, upper, title, truncate, pad).
/// </summary>
internal static class TemplateFunctions
{
    private delegate object? Function(IReadOnlyList<object?> args);

    private sealed record Entry(int MinArgs, int MaxArgs, Function Call);

    private static readonly Dictionary<string, Entry> Functions = new(StringComparer.Ordinal)
    {
        ["json"] = new(1, 1, a => GoValues.ToJson(a[0])),
        ["join"] = new(2, 2, a => string.Join(Str(a[1]), List(a[0], "join").Select(GoValues.Format))),
        ["split"] = new(2, 2, a => Str(a[0]).Split(Str(a[1])).Cast<object?>().ToList()),
        ["lower"] = new(1, 1, a => Str(a[0]).ToLowerInvariant()),
        ["upper"] = new(1, 1, a => Str(a[0]).ToUpperInvariant()),
        ["title"] = new(1, 1, a => Title(Str(a[0]))),
        ["truncate"] = new(2, 2, a => Truncate(Str(a[0]), Int(a[1], "truncate"))),
        ["pad"] = new(3, 3, a => new string(' ', Math.Max(0, Int(a[1], "pad"))) + Str(a[0]) + new string(' ', Math.Max(0, Int(a[2], "pad")))),
        ["len"] = new(1, 1, a => Length(a[0])),
        ["index"] = new(1, int.MaxValue, Index),
        ["print"] = new(0, int.MaxValue, Sprint),
        ["println"] = new(0, int.MaxValue, a => string.Join(' ', a.Select(GoValues.Format)) + "\n"),
        ["printf"] = new(1, int.MaxValue, a => GoPrintf.Format(Str(a[0]), a.Skip(1).ToList())),
        ["eq"] = new(2, int.MaxValue, a => a.Skip(1).Any(b => Compare(a[0], b, equalityOnly: true) == 0)),
        ["ne"] = new(2, 2, a => Compare(a[0], a[1], equalityOnly: true) != 0),
        ["lt"] = new(2, 2, a => Compare(a[0], a[1], equalityOnly: false) < 0),
        ["le"] = new(2, 2, a => Compare(a[0], a[1], equalityOnly: false) <= 0),
        ["gt"] = new(2, 2, a => Compare(a[0], a[1], equalityOnly: false) > 0),
        ["ge"] = new(2, 2, a => Compare(a[0], a[1], equalityOnly: false) >= 0),
        ["and"] = new(1, int.MaxValue, a => a.FirstOrDefault(v => !GoValues.IsTrue(v), a[^1])),
        ["or"] = new(1, int.MaxValue, a => a.FirstOrDefault(GoValues.IsTrue, a[^1])),
        ["not"] = new(1, 1, a => !GoValues.IsTrue(a[0])),
    };

    public static bool IsDefined(string name) => Functions.ContainsKey(name);

    public static object? Call(string name, IReadOnlyList<object?> args)
    {
        var entry = Functions[name];
        if (args.Count < entry.MinArgs || args.Count > entry.MaxArgs)
        {
            string want = entry.MinArgs == entry.MaxArgs ? $"{entry.MinArgs}" : entry.MaxArgs == int.MaxValue ? $"at least {entry.MinArgs}" : $"{entry.MinArgs} to {entry.MaxArgs}";
            throw new TemplateFunctionException($"wrong number of args for {name}: want {want} got {args.Count}");
        }
        return entry.Call(args);
    }

    private static string Str(object? value) => value as string ?? GoValues.Format(value);

    private static int Int(object? value, string function) => value switch
    {
        long l => (int)Math.Clamp(l, int.MinValue, int.MaxValue),
        int i => i,
        double d when d == Math.Floor(d) => (int)Math.Clamp(d, int.MinValue, int.MaxValue),
        string s when int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) => n,
        _ => throw new TemplateFunctionException($"{function}: expected an integer, got {GoValues.TypeName(value)}"),
    };

    private static IReadOnlyList<object?> List(object? value, string function) => value switch
    {
        IReadOnlyList<object?> list => list,
        null => [],
        _ => throw new TemplateFunctionException($"{function}: expected a list, got {GoValues.TypeName(value)}"),
    };

    /// <summary>docker's title: each word's first letter upper case.</summary>
    private static string Title(string s)
    {
        var chars = s.ToCharArray();
        bool start = true;
        for (int i = 0; i < chars.Length; i++)
        {
            if (start && char.IsLetter(chars[i])) chars[i] = char.ToUpperInvariant(chars[i]);
            start = !char.IsLetterOrDigit(chars[i]) && chars[i] != '\'';
        }
        return new string(chars);
    }

    private static string Truncate(string s, int length)
    {
        var runes = s.EnumerateRunes().ToList();
        return length < 0 || runes.Count <= length ? s : string.Concat(runes.Take(length).Select(r => r.ToString()));
    }

    private static long Length(object? value) => value switch
    {
        string s => Encoding.UTF8.GetByteCount(s),
        IReadOnlyList<object?> list => list.Count,
        IReadOnlyDictionary<string, object?> map => map.Count,
        _ => throw new TemplateFunctionException($"len of type {GoValues.TypeName(value)}"),
    };

    private static object? Index(IReadOnlyList<object?> args)
    {
        var item = args[0];
        foreach (var key in args.Skip(1))
        {
            switch (item)
            {
                case IReadOnlyList<object?> list:
                {
                    long i = key switch
                    {
                        long l => l,
                        int n => n,
                        double d when d == Math.Floor(d) => (long)d,
                        _ => throw new TemplateFunctionException($"cannot index slice/array with type {GoValues.TypeName(key)}"),
                    };
                    if (i < 0 || i >= list.Count) throw new TemplateFunctionException($"index out of range: {i}");
                    item = list[(int)i];
                    break;
                }
                case IReadOnlyDictionary<string, object?> map:
                    if (key is not string k) throw new TemplateFunctionException($"value has type {GoValues.TypeName(key)}; should be string");
                    item = map.TryGetValue(k, out var v) ? v : null;
                    break;
                case null:
                    throw new TemplateFunctionException("index of untyped nil");
                default:
                    throw new TemplateFunctionException($"can't index item of type {GoValues.TypeName(item)}");
            }
        }
        return item;
    }

    /// <summary>fmt.Sprint: spaces between operands when neither is a string.</summary>
    private static string Sprint(IReadOnlyList<object?> args)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < args.Count; i++)
        {
            if (i > 0 && args[i] is not string && args[i - 1] is not string) sb.Append(' ');
            sb.Append(GoValues.Format(args[i]));
        }
        return sb.ToString();
    }

    private static int Compare(object? a, object? b, bool equalityOnly)
    {
        if (a is null || b is null)
        {
            if (!equalityOnly) throw new TemplateFunctionException("invalid type for comparison");
            return a is null && b is null ? 0 : 1;
        }
        if (IsNumber(a) && IsNumber(b))
        {
            if (a is long or int && b is long or int) return Convert.ToInt64(a, CultureInfo.InvariantCulture).CompareTo(Convert.ToInt64(b, CultureInfo.InvariantCulture));
            return Convert.ToDouble(a, CultureInfo.InvariantCulture).CompareTo(Convert.ToDouble(b, CultureInfo.InvariantCulture));
        }
        return (a, b) switch
        {
            (string x, string y) => string.CompareOrdinal(x, y),
            (bool x, bool y) when equalityOnly => x == y ? 0 : 1,
            (bool, bool) => throw new TemplateFunctionException("invalid type for comparison"),
            (IReadOnlyList<object?> or IReadOnlyDictionary<string, object?>, _) or (_, IReadOnlyList<object?> or IReadOnlyDictionary<string, object?>)
                => throw new TemplateFunctionException($"non-comparable type {GoValues.TypeName(a)}"),
            _ => throw new TemplateFunctionException("incompatible types for comparison"),
        };
    }

    private static bool IsNumber(object? v) => v is long or int or double;
}
