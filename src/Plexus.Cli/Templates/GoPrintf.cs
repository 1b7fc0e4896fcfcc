using System.Globalization;
using System.Text;

namespace Plexus.Cli.Templates;

/// <summary>The part of Go's fmt.Sprintf templates use: flags "-+ 0", width, precision and the verbs v s d q t f e g x X %.</summary>
internal static class GoPrintf
{
    public static string Format(string format, IReadOnlyList<object?> args)
    {
        var sb = new StringBuilder();
        int next = 0;
        for (int i = 0; i < format.Length; i++)
        {
            char c = format[i];
            if (c != '%')
            {
                sb.Append(c);
                continue;
            }
            if (++i >= format.Length)
            {
                sb.Append("%!(NOVERB)");
                break;
            }
            bool left = false, zero = false, plus = false, space = false;
            for (; i < format.Length && format[i] is '-' or '0' or '+' or ' ' or '#'; i++)
            {
                switch (format[i])
                {
                    case '-': left = true; break;
                    case '0': zero = true; break;
                    case '+': plus = true; break;
                    case ' ': space = true; break;
                }
            }
            int width = ReadNumber(format, ref i);
            int precision = -1;
            if (i < format.Length && format[i] == '.')
            {
                i++;
                precision = Math.Max(0, ReadNumber(format, ref i));
            }
            if (i >= format.Length)
            {
                sb.Append("%!(NOVERB)");
                break;
            }
            char verb = format[i];
            if (verb == '%')
            {
                sb.Append('%');
                continue;
            }
            if (next >= args.Count)
            {
                sb.Append("%!").Append(verb).Append("(MISSING)");
                continue;
            }
            var text = One(verb, args[next++], precision, plus, space);
            sb.Append(Pad(text, width, left, zero && !left && verb is not ('s' or 'q' or 'v')));
        }
        if (next < args.Count)
        {
            sb.Append("%!(EXTRA ");
            sb.AppendJoin(", ", args.Skip(next).Select(a => $"{GoValues.TypeName(a)}={GoValues.Format(a)}"));
            sb.Append(')');
        }
        return sb.ToString();
    }

    private static int ReadNumber(string s, ref int i)
    {
        int start = i;
        while (i < s.Length && char.IsAsciiDigit(s[i])) i++;
        return i == start ? -1 : int.Parse(s.AsSpan(start, i - start), CultureInfo.InvariantCulture);
    }

    private static string Pad(string text, int width, bool left, bool zero)
    {
        if (width <= text.Length) return text;
        if (left) return text.PadRight(width);
        if (zero && text.Length > 0 && text[0] is '-' or '+') return text[0] + text[1..].PadLeft(width - 1, '0');
        return text.PadLeft(width, zero ? '0' : ' ');
    }

    private static string Bad(char verb, object? arg) => $"%!{verb}({GoValues.TypeName(arg)}={GoValues.Format(arg)})";

    private static string One(char verb, object? arg, int precision, bool plus, bool space)
    {
        string Sign(string digits, bool negative) => negative ? digits : plus ? "+" + digits : space ? " " + digits : digits;

        switch (verb)
        {
            case 'v':
            case 's':
            {
                var s = GoValues.Format(arg);
                return precision >= 0 && s.Length > precision ? s[..precision] : s;
            }
            case 'q':
                return arg is string str ? Quote(str) : Bad(verb, arg);
            case 't':
                return arg is bool b ? (b ? "true" : "false") : Bad(verb, arg);
            case 'd':
                return arg switch
                {
                    long l => Sign(l.ToString(CultureInfo.InvariantCulture), l < 0),
                    int n => Sign(n.ToString(CultureInfo.InvariantCulture), n < 0),
                    _ => Bad(verb, arg),
                };
            case 'f' or 'F' or 'e' or 'g':
            {
                if (arg is not (long or int or double)) return Bad(verb, arg);
                double d = Convert.ToDouble(arg, CultureInfo.InvariantCulture);
                string s = verb switch
                {
                    'e' => Exponent(d, precision < 0 ? 6 : precision),
                    'g' => precision < 0 ? GoValues.FormatFloat(d) : d.ToString("G" + precision.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture),
                    _ => d.ToString("F" + (precision < 0 ? 6 : precision).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture),
                };
                return Sign(s, d < 0);
            }
            case 'x' or 'X':
            {
                string s = arg switch
                {
                    long l => l < 0 ? "-" + (-l).ToString("x", CultureInfo.InvariantCulture) : l.ToString("x", CultureInfo.InvariantCulture),
                    int n => n < 0 ? "-" + (-n).ToString("x", CultureInfo.InvariantCulture) : n.ToString("x", CultureInfo.InvariantCulture),
                    string text => Convert.ToHexStringLower(Encoding.UTF8.GetBytes(text)),
                    _ => Bad(verb, arg),
                };
                return verb == 'X' ? s.ToUpperInvariant() : s;
            }
            default:
                return $"%!{verb}({GoValues.TypeName(arg)}={GoValues.Format(arg)})";
        }
    }

    private static string Exponent(double d, int precision) =>
        d.ToString(precision == 0 ? "0e+00" : "0." + new string('0', precision) + "e+00", CultureInfo.InvariantCulture);

    /// <summary>Go's %q: a double-quoted string with Go escapes.</summary>
    internal static string Quote(string s)
    {
        var sb = new StringBuilder("\"");
        foreach (char c in s)
        {
            sb.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\t' => "\\t",
                '\r' => "\\r",
                _ when char.IsControl(c) => $"\\x{(int)c:x2}",
                _ => c.ToString(),
            });
        }
        return sb.Append('"').ToString();
    }
}
