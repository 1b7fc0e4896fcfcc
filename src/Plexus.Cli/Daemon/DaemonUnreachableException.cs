namespace Plexus.Cli.Daemon;

/// <summary>No daemon answered at the host: the socket is missing, refuses, or may not be opened.</summary>
internal sealed class DaemonUnreachableException : Exception
{
    public DaemonUnreachableException()
    {
    }

    public DaemonUnreachableException(string message)
        : base(message)
    {
    }

    public DaemonUnreachableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
