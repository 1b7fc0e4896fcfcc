namespace Plexus.Graph.Rendering;

/// <summary>Graphviz's <c>dot</c> is not installed where the picture is rendered; DOT and Mermaid still work.</summary>
public sealed class GraphvizMissingException : Exception
{
    public GraphvizMissingException()
        : base("drawing SVG needs Graphviz's 'dot', which is not installed on the daemon's host: install the graphviz package "
            + "(apt-get install graphviz), or ask for --format dot or --format mermaid, which need nothing")
    {
    }

    public GraphvizMissingException(string message)
        : base(message)
    {
    }

    public GraphvizMissingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
