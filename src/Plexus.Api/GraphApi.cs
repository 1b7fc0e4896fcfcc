namespace Plexus.Api;

/// <summary>
/// GET /plexus/graph?format=svg|dot|mermaid[&amp;network=NAME]...: the topology picture, one renderer in the
/// daemon that the CLI and any other tool fetch.
/// </summary>
public static class GraphApi
{
    public const string Path = "/plexus/graph";

    public const string Svg = "svg";
    public const string Dot = "dot";
    public const string Mermaid = "mermaid";

    /// <summary>What format= takes; the first is the default.</summary>
    public static readonly IReadOnlyList<string> Formats = [Svg, Dot, Mermaid];

    /// <summary>The format's canonical name, or null when it is not one (names are case-insensitive).</summary>
    public static string? Normalize(string? format) =>
        string.IsNullOrEmpty(format) ? Svg : Formats.FirstOrDefault(f => string.Equals(f, format, StringComparison.OrdinalIgnoreCase));

    public static string ContentType(string format) => format switch
    {
        Svg => "image/svg+xml; charset=utf-8",
        Dot => "text/vnd.graphviz; charset=utf-8",
        _ => "text/plain; charset=utf-8",
    };

    /// <summary>The file name extension for a format (for files the CLI writes).</summary>
    public static string Extension(string format) => format switch
    {
        Mermaid => "mmd",
        _ => format,
    };
}
