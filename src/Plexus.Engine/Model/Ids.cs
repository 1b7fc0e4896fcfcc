using Plexus.Kernel.Types;

namespace Plexus.Engine.Model;

/// <summary>Docker-style identifiers: 64 lowercase hex characters, shown shortened to 12.</summary>
public static class Ids
{
    public const int Length = 64;
    public const int ShortLength = 12;

    public static string New()
    {
        Span<byte> bytes = stackalloc byte[32];
        SecureRandom.Fill(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    public static string Short(string id) => id.Length > ShortLength ? id[..ShortLength] : id;

    public static bool IsFullId(string text) => text.Length == Length && IsHex(text);

    public static bool IsHex(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f'))) return false;
        return text.Length > 0;
    }
}
