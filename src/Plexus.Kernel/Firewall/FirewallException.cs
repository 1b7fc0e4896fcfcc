namespace Plexus.Kernel.Firewall;

/// <summary>
/// A firewall change was refused, either by the policy's checks (a conflict in the state) or by the backend
/// (libnftables' or iptables-restore's error text). The change was not applied: nothing changed.
/// </summary>
public sealed class FirewallException : KernelException
{
    public FirewallException(string message) : base(message) { }

    public FirewallException(string message, Exception inner) : base(message, inner) { }

    public FirewallException(string message, string? backendError) : base(Compose(message, backendError)) => BackendError = backendError;

    /// <summary>A refusal that wraps an earlier one: <paramref name="message"/> is the whole text, the backend's error is kept as it was.</summary>
    public FirewallException(string message, string? backendError, Exception inner) : base(message, inner) => BackendError = backendError;

    public FirewallException() { }

    /// <summary>What nft or iptables-restore said, verbatim, when the backend refused the change.</summary>
    public string? BackendError { get; }

    private static string Compose(string message, string? backendError) =>
        string.IsNullOrWhiteSpace(backendError) ? message : $"{message}: {backendError.Trim()}";
}
