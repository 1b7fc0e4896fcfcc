namespace Plexus.Client;

/// <summary>No daemon answered at the host: the socket is missing, refuses, or may not be opened.</summary>
public sealed class DaemonUnreachableException : Exception
{
    /// <summary>No daemon answered.</summary>
    public DaemonUnreachableException()
    {
    }

    /// <summary>No daemon answered; the message says where and what to check.</summary>
    public DaemonUnreachableException(string message)
        : base(message)
    {
    }

    /// <summary>No daemon answered; the message says where and what to check, the inner exception why.</summary>
    public DaemonUnreachableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
