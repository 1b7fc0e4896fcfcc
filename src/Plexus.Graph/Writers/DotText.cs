using System.Text;

namespace Plexus.Graph.Writers;

/// <summary>
/// Text inside DOT. Names come from users: spaces, quotes, backslashes, markup characters and any
/// unicode must reach the picture as written and never end a string or a label early.
/// </summary>
internal static class DotText
{
    /// <summary>For HTML-like labels (&lt;...&gt;): XML escapes; control characters (never valid in XML) become U+FFFD.</summary>
    public static string Html(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        StringBuilder? sb = null;
        for (int i = 0; i < text.Length; i++)
        {
            string? replacement = text[i] switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                var c when char.IsControl(c) => "\uFFFD",
                _ => null,
            };
            if (replacement is null && sb is null) continue;
            sb ??= new StringBuilder(text, 0, i, text.Length + 16);
            if (replacement is null) sb.Append(text[i]);
            else sb.Append(replacement);
        }
        return sb?.ToString() ?? text;
    }

    /// <summary>
    /// A double-quoted DOT string. Graphviz reads escapes in labels (\n, \l, \N for the node's name), so a
    /// backslash is doubled to stay a backslash; control characters become U+FFFD.
    /// </summary>
    public static string Quoted(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sb = new StringBuilder(text.Length + 2).Append('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                default: sb.Append(char.IsControl(c) ? '\uFFFD' : c); break;
            }
        }
        return sb.Append('"').ToString();
    }
}
