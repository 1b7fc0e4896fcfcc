namespace Plexus.Kernel.Firewall;

/// <summary>
/// The firewall of one network namespace (the host's), as the daemon sees it: a backend that keeps a policy's rules in
/// the kernel, notices when others destroy them and puts them back. What the rules are is the policy's
/// (<see cref="IFirewallPolicy{TState, TChange}"/>); <see cref="IFirewall{TState, TChange}"/> is how a driver changes them.
/// Implementations are thread-safe; commits are serialised.
/// </summary>
public interface IFirewall : IDisposable
{
    /// <summary>"nftables", "iptables" or "none".</summary>
    string Backend { get; }

    /// <summary>
    /// Starts watching the kernel's ruleset: when another process removes or changes what Plexus owns (<c>nft flush
    /// ruleset</c>, a reload, a deleted table, <c>iptables -F</c>), the whole state is re-applied at once and
    /// <see cref="Repaired"/> says so. Called once by the daemon after its start-up re-apply; idempotent.
    /// </summary>
    void StartWatching();

    /// <summary>Raised after each repair or failed repair, on the watcher's thread (or the committing one).</summary>
    event EventHandler<FirewallRepair>? Repaired;

    /// <summary>Why the kernel is known not to hold the state; null when it does. While set, every commit re-applies everything or fails.</summary>
    string? Damage { get; }

    /// <summary>What this backend cannot enforce here, for the daemon to log at start ("anti-spoofing needs ...").</summary>
    IReadOnlyList<string> Warnings { get; }
}

/// <summary>
/// A firewall holding one policy's state. Every change is a <see cref="FirewallTransaction{TChange}"/>: built up, then
/// committed at once; a commit that throws changed nothing.
/// </summary>
public interface IFirewall<TState, TChange> : IFirewall
    where TState : class, IFirewallState
    where TChange : class, IFirewallChange<TState>
{
    /// <summary>What the firewall enforces now: the result of every committed transaction.</summary>
    TState State { get; }

    /// <summary>Starts a transaction. Nothing happens until <see cref="FirewallTransaction{TChange}.Commit"/>.</summary>
    FirewallTransaction<TChange> Begin();

    /// <summary>
    /// Makes the rules exactly those <paramref name="state"/> implies: after a firewall flush or reload, and
    /// at daemon start. Rules for objects not in the state are removed; the admin chain is kept.
    /// Atomic like a commit.
    /// </summary>
    void ReplaceAll(TState state);

    /// <summary>Removes every rule of the policy (the admin chain stays if it holds rules of its own).</summary>
    void Clear();
}
