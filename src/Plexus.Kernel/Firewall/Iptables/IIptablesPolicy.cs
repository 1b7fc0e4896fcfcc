using Plexus.Kernel.Firewall.Nftables;

namespace Plexus.Kernel.Firewall.Iptables;

/// <summary>
/// What a policy's state means in iptables: its chains per address family (<see cref="Render"/>; the backend diffs two
/// renderings into iptables-restore input, see <see cref="IptablesScript"/>), and optionally nf_tables tables it keeps
/// beside them through libnftables (what iptables cannot say without a rule per endpoint). Pure functions.
/// </summary>
public interface IIptablesPolicy<TState, TChange>
    where TState : class, IFirewallState
    where TChange : class, IFirewallChange<TState>
{
    /// <summary>The policy's chains for one family, with the admin chain (and its jump) even when the state is empty if <paramref name="keepUserChain"/>.</summary>
    IptablesRuleset Render(TState state, bool ipv6, bool keepUserChain = false);

    /// <summary>The nf_tables tables kept beside the iptables chains; empty when there are none.</summary>
    IReadOnlyList<NftTable> NftablesTables { get; }

    /// <summary>What goes unenforced when libnftables is missing, for <see cref="IFirewall.Warnings"/>; the reason is appended.</summary>
    string NftablesMissing { get; }

    /// <summary>
    /// When <paramref name="change"/> touches only the nf_tables tables, its element changes (one netlink batch, the
    /// iptables chains untouched); null when the iptables chains may change too.
    /// </summary>
    IReadOnlyList<NftElementChange>? NftablesElements(TChange change);

    /// <summary>The nf_tables part of <paramref name="change"/> as a script, or (<paramref name="undo"/>) the one that takes it back.</summary>
    string NftablesChanges(TChange change, bool undo);

    /// <summary>The script that makes the nf_tables tables exactly <paramref name="next"/>'s.</summary>
    string NftablesReplaceAll(TState next);
}
