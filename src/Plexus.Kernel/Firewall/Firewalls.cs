using Plexus.Kernel.Firewall.Iptables;
using Plexus.Kernel.Firewall.Nftables;
using Plexus.Kernel.Namespaces;

namespace Plexus.Kernel.Firewall;

/// <summary>Chooses a backend by name: "nftables" (the default), "iptables" or "none".</summary>
public static class Firewalls
{
    public const string Nftables = "nftables";
    public const string Iptables = "iptables";
    public const string None = "none";

    public const string Default = Nftables;

    public static IReadOnlyList<string> Names { get; } = [Nftables, Iptables, None];

    /// <summary>A backend keeping <paramref name="policy"/>'s rules in the firewall of <paramref name="target"/> (the daemon's host namespace).</summary>
    public static IFirewall<TState, TChange> Create<TState, TChange>(string backend, NetworkNamespace target, IFirewallPolicy<TState, TChange> policy)
        where TState : class, IFirewallState
        where TChange : class, IFirewallChange<TState>
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(policy);
        return backend switch
        {
            Nftables => new NftablesFirewall<TState, TChange>(target, policy),
            Iptables => new IptablesFirewall<TState, TChange>(target, policy),
            None => new NoFirewall<TState, TChange>(policy),
            _ => throw new ArgumentException($"firewall backend '{backend}' is not known: use {string.Join(", ", Names)}", nameof(backend)),
        };
    }
}
