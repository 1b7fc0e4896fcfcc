namespace Plexus.Engine.Model;

/// <summary>What kind of failure, so the API can answer with Docker's status codes.</summary>
public enum ErrorKind
{
    /// <summary>400: the request itself is wrong (bad subnet, bad option).</summary>
    InvalidArgument,

    /// <summary>404: no such network, endpoint or sandbox.</summary>
    NotFound,

    /// <summary>409: a name is taken, an address is in use, a network still has endpoints.</summary>
    Conflict,

    /// <summary>403: the operation is not allowed on this object (e.g. deleting a predefined network).</summary>
    Forbidden,

    /// <summary>500: the kernel or the store failed.</summary>
    Internal,
}

/// <summary>An engine error with a message a person can act on and a kind the API maps to a status code.</summary>
public sealed class PlexusException : Exception
{
    public PlexusException(ErrorKind kind, string message) : base(message) => Kind = kind;

    public PlexusException(ErrorKind kind, string message, Exception inner) : base(message, inner) => Kind = kind;

    public PlexusException() { }

    public PlexusException(string message) : base(message) { }

    public PlexusException(string message, Exception inner) : base(message, inner) { }

    public ErrorKind Kind { get; } = ErrorKind.Internal;

    public static PlexusException NotFound(string message) => new(ErrorKind.NotFound, message);

    public static PlexusException Conflict(string message) => new(ErrorKind.Conflict, message);

    public static PlexusException Invalid(string message) => new(ErrorKind.InvalidArgument, message);
}
