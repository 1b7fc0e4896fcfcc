namespace Plexus.Kernel.Firewall;

/// <summary>
/// The firewall of one network namespace (the host's), as the drivers see it. Every change is a
/// <see cref="FirewallTransaction"/>: built up, then committed at once; a commit that throws changed nothing.
/// Implementations are thread-safe; commits are serialised.
/// </summary>
public interface IFirewall : IDisposable
{
    /// <summary>"nftables", "iptables" or "none".</summary>
    string Backend { get; }

    /// <summary>What the firewall enforces now: the result of every committed transaction.</summary>
    FirewallState State { get; }

    /// <summary>Starts a transaction. Nothing happens until <see cref="FirewallTransaction.Commit"/>.</summary>
    FirewallTransaction Begin();

    /// <summary>
    /// Makes the rules exactly those <paramref name="state"/> implies: after a firewall flush or reload, and
    /// at daemon start. Plexus rules for objects not in the state are removed; the admin chain is kept.
    /// Atomic like a commit.
    /// </summary>
    void ReplaceAll(FirewallState state);

    /// <summary>
    /// Starts watching the kernel's ruleset: when another process removes or changes what Plexus owns (<c>nft flush
    /// ruleset</c>, a reload, a deleted table, <c>iptables -F</c>), the whole state is re-applied at once and
    /// <see cref="Repaired"/> says so. Called once by the daemon after its start-up re-apply; idempotent.
    /// </summary>
    void StartWatching();

    /// <summary>Raised after each repair or failed repair, on the watcher's thread (or the committing one).</summary>
    event EventHandler<FirewallRepair>? Repaired;

    /// <summary>Why the kernel is known not to hold <see cref="State"/>; null when it does. While set, every commit re-applies everything or fails.</summary>
    string? Damage { get; }

    /// <summary>What this backend cannot enforce here, for the daemon to log at start ("anti-spoofing needs ...").</summary>
    IReadOnlyList<string> Warnings { get; }
}

public static class FirewallExtensions
{
    public static void ReplaceAll(this IFirewall firewall, IEnumerable<BridgeRules> networks, IEnumerable<PortMapping> ports, IEnumerable<LinkRule> links)
    {
        ArgumentNullException.ThrowIfNull(firewall);
        firewall.ReplaceAll(FirewallState.Create(networks, ports, links));
    }

    /// <summary>Removes every Plexus rule (the admin chain stays if it holds rules of its own).</summary>
    public static void Clear(this IFirewall firewall)
    {
        ArgumentNullException.ThrowIfNull(firewall);
        firewall.ReplaceAll(FirewallState.Empty);
    }
}
