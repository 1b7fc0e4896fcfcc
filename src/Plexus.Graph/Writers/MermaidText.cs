using System.Text;

namespace Plexus.Graph.Writers;

/// <summary>
/// Text inside a Mermaid quoted label ("..."). Mermaid has no backslash escapes: a character that would
/// end the string or be read as markup is written as an entity code (#34; for a double quote), which
/// Mermaid turns back into the character. Numeric codes, because every Mermaid version reads those.
/// </summary>
internal static class MermaidText
{
    public static string Label(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sb = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            switch (c)
            {
                case '"': sb.Append("#34;"); break;
                case '#': sb.Append("#35;"); break;
                case '&': sb.Append("#38;"); break;
                case '<': sb.Append("#60;"); break;
                case '>': sb.Append("#62;"); break;
                default: sb.Append(char.IsControl(c) ? '\uFFFD' : c); break;
            }
        }
        return sb.ToString();
    }

    /// <summary>Lines of already-escaped text, one label.</summary>
    public static string Lines(IEnumerable<string> escaped) => string.Join("<br>", escaped);
}
