namespace Plexus.Cli.Daemon;

/// <summary>The daemon answered with an error status; <see cref="Exception.Message"/> is its {"message"}.</summary>
internal sealed class DaemonException : Exception
{
    public DaemonException(int statusCode, string message)
        : base(message) => StatusCode = statusCode;

    public DaemonException()
    {
    }

    public DaemonException(string message)
        : base(message)
    {
    }

    public DaemonException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public int StatusCode { get; }

    public bool IsNotFound => StatusCode == 404;
}
