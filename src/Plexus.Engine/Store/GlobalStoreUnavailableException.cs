namespace Plexus.Engine.Store;

/// <summary>
/// The global store could not be reached in time (every endpoint refused, timed out or had no quorum).
/// Thrown instead of waiting, so a global operation fails fast with a message that names where the store
/// was looked for; local networks never depend on it. The store keeps trying on later calls: the same
/// object works again when the store returns.
/// </summary>
public sealed class GlobalStoreUnavailableException : Exception
{
    public GlobalStoreUnavailableException() { }

    public GlobalStoreUnavailableException(string message) : base(message) { }

    public GlobalStoreUnavailableException(string message, Exception inner) : base(message, inner) { }
}
