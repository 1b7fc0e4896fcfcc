using System.Globalization;
using System.Text;

namespace Plexus.Kernel.Tests.Unit.Support;

/// <summary>Hex text for golden bytes: whitespace and '#' comments (to the end of the line) are ignored.</summary>
internal static class Hex
{
    public static byte[] Parse(string text)
    {
        var digits = new StringBuilder(text.Length);
        foreach (var rawLine in text.Split('\n'))
        {
            int hash = rawLine.IndexOf('#', StringComparison.Ordinal);
            var line = hash >= 0 ? rawLine[..hash] : rawLine;
            foreach (char c in line)
            {
                if (char.IsWhiteSpace(c)) continue;
                if (!char.IsAsciiHexDigit(c))
                    throw new FormatException($"'{c}' is not a hex digit in golden text line '{rawLine.Trim()}'");
                digits.Append(c);
            }
        }
        if (digits.Length % 2 != 0) throw new FormatException($"odd number of hex digits ({digits.Length}) in golden text");
        return Convert.FromHexString(digits.ToString());
    }

    public static string Format(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    /// <summary>A golden file copied next to the test assembly (tests/Plexus.Kernel.Tests/Golden).</summary>
    public static byte[] LoadGolden(string fileName) =>
        Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", fileName)));

    /// <summary>Hex laid out 16 bytes a line with offsets, so a failing golden comparison is easy to read.</summary>
    public static string Dump(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < bytes.Length; i += 16)
        {
            var row = bytes.Slice(i, Math.Min(16, bytes.Length - i));
            sb.Append(i.ToString("x4", CultureInfo.InvariantCulture)).Append("  ");
            for (int j = 0; j < row.Length; j++)
            {
                sb.Append(row[j].ToString("x2", CultureInfo.InvariantCulture));
                sb.Append(j % 4 == 3 ? "  " : " ");
            }
            sb.Append('\n');
        }
        return sb.ToString();
    }
}
