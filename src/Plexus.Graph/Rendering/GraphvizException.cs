namespace Plexus.Graph.Rendering;

/// <summary><c>dot</c> ran but did not draw the picture (it failed, or took longer than allowed).</summary>
public sealed class GraphvizException : Exception
{
    public GraphvizException()
    {
    }

    public GraphvizException(string message)
        : base(message)
    {
    }

    public GraphvizException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
