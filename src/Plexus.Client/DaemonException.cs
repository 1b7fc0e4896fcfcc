namespace Plexus.Client;

/// <summary>The daemon answered with an error status; <see cref="Exception.Message"/> is its {"message"}.</summary>
public sealed class DaemonException : Exception
{
    /// <summary>An error answer: its HTTP status and the daemon's message.</summary>
    public DaemonException(int statusCode, string message)
        : base(message) => StatusCode = statusCode;

    /// <summary>An error without a status (status 0).</summary>
    public DaemonException()
    {
    }

    /// <summary>An error without a status (status 0), with a message.</summary>
    public DaemonException(string message)
        : base(message)
    {
    }

    /// <summary>An error without a status (status 0), with a message and its cause.</summary>
    public DaemonException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The HTTP status the daemon answered with (404 for an unknown object, 409 for a conflict, ...).</summary>
    public int StatusCode { get; }

    /// <summary>The object the request named does not exist.</summary>
    public bool IsNotFound => StatusCode == 404;
}
