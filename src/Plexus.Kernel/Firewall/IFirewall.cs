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
