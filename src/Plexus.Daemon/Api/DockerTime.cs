using System.Globalization;
using Plexus.Engine.Model;

namespace Plexus.Daemon.Api;

/// <summary>
/// Times as Docker's filters and query parameters take them (`until=1h`, `since=1700000000.5`,
/// `until=2026-11-20T10:00:00Z`): a Go duration counted back from now, a Unix timestamp with optional
/// fraction, or an RFC 3339 date or time (UTC when no zone is given). Answers nanoseconds since the epoch.
/// </summary>
internal static class DockerTime
{
    private static readonly string[] Formats =
    [
        "yyyy-MM-dd", "yyyy-MM-ddTHH", "yyyy-MM-ddTHH:mm", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-ddTHH:mm:ss.FFFFFFF",
        "yyyy-MM-ddzzz", "yyyy-MM-ddTHHzzz", "yyyy-MM-ddTHH:mmzzz", "yyyy-MM-ddTHH:mm:sszzz", "yyyy-MM-ddTHH:mm:ss.FFFFFFFzzz",
        "yyyy-MM-ddTHH:mm:ssZ", "yyyy-MM-ddTHH:mm:ss.FFFFFFFZ", "yyyy-MM-ddTHHZ", "yyyy-MM-ddTHH:mmZ",
    ];

    public static long ParseNanoseconds(string value, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value != "0" && TryParseDuration(value, out var ago)) return ToNanoseconds(now) - ago;
        if (value.Contains('-', StringComparison.Ordinal) && value.Length > 1 && !value.StartsWith('-'))
        {
            var text = value.Replace('z', 'Z').Replace('t', 'T');
            if (DateTimeOffset.TryParseExact(text, Formats, CultureInfo.InvariantCulture,
                    DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at))
                return ToNanoseconds(at);
            throw PlexusException.Invalid($"failed to parse value as time or duration: \"{value}\"");
        }
        if (TryParseTimestamp(value, out var ns)) return ns;
        throw PlexusException.Invalid($"failed to parse value as time or duration: \"{value}\"");
    }

    public static long ToNanoseconds(DateTimeOffset at) => (at.UtcTicks - DateTime.UnixEpoch.Ticks) * 100;

    public static DateTimeOffset FromNanoseconds(long ns) => new(DateTime.UnixEpoch.Ticks + ns / 100, TimeSpan.Zero);

    /// <summary>"1700000000" or "1700000000.123456789" (Docker's ParseTimestamps).</summary>
    private static bool TryParseTimestamp(string value, out long nanoseconds)
    {
        nanoseconds = 0;
        var dot = value.IndexOf('.', StringComparison.Ordinal);
        var secondsText = dot < 0 ? value : value[..dot];
        if (!long.TryParse(secondsText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds)) return false;
        long fraction = 0;
        if (dot >= 0)
        {
            var digits = value[(dot + 1)..];
            if (digits.Length == 0 || digits.Length > 9 || !digits.All(char.IsAsciiDigit)) return false;
            fraction = long.Parse(digits.PadRight(9, '0'), CultureInfo.InvariantCulture);
        }
        nanoseconds = seconds * 1_000_000_000 + (seconds < 0 ? -fraction : fraction);
        return true;
    }

    /// <summary>Go's time.ParseDuration: "300ms", "1.5h", "2h45m", "-10s".</summary>
    public static bool TryParseDuration(string value, out long nanoseconds)
    {
        nanoseconds = 0;
        var s = value.AsSpan();
        bool negative = false;
        if (s.Length > 0 && (s[0] == '-' || s[0] == '+'))
        {
            negative = s[0] == '-';
            s = s[1..];
        }
        if (s.SequenceEqual("0")) return true;
        if (s.IsEmpty) return false;
        double total = 0;
        while (!s.IsEmpty)
        {
            int i = 0;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.')) i++;
            if (i == 0 || !double.TryParse(s[..i], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number)) return false;
            s = s[i..];
            int j = 0;
            while (j < s.Length && !char.IsAsciiDigit(s[j]) && s[j] != '.') j++;
            double unit = s[..j] switch
            {
                "ns" => 1,
                "us" or "µs" or "μs" => 1e3,
                "ms" => 1e6,
                "s" => 1e9,
                "m" => 60e9,
                "h" => 3600e9,
                _ => 0,
            };
            if (unit == 0) return false;
            total += number * unit;
            s = s[j..];
        }
        nanoseconds = (long)(negative ? -total : total);
        return true;
    }
}
