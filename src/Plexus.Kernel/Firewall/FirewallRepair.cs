namespace Plexus.Kernel.Firewall;

/// <summary>
/// The firewall found its rules changed behind its back (a flush, a reload, a table deleted by hand, or a change the
/// kernel refused because of such) and re-applied them, or tried to. Raised by <see cref="IFirewall.Repaired"/>.
/// </summary>
public sealed class FirewallRepair
{
    public FirewallRepair(string reason, string? actor, TimeSpan elapsed, string? error)
    {
        Reason = reason;
        Actor = actor;
        Elapsed = elapsed;
        Error = error;
    }

    /// <summary>What was found: "table inet plexus deleted", "the kernel refused an incremental change: ...".</summary>
    public string Reason { get; }

    /// <summary>Who changed the ruleset, as the kernel names the committing process ("nft (pid 4242)"), when known.</summary>
    public string? Actor { get; }

    /// <summary>From the moment the change was noticed to the moment the rules were back (or the attempt failed).</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>Why the rules could not be restored; null when they were. Until they are, every change fails (fail closed).</summary>
    public string? Error { get; }

    public bool Succeeded => Error is null;

    public override string ToString() =>
        (Succeeded ? $"firewall rules restored in {Elapsed.TotalMilliseconds:0.#} ms" : $"firewall rules could not be restored: {Error}")
        + $" ({Reason}{(Actor is null ? "" : $", by {Actor}")})";
}
