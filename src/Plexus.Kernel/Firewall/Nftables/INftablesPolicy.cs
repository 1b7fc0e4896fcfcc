namespace Plexus.Kernel.Firewall.Nftables;

/// <summary>
/// What a policy's state means in nftables: its tables, the script of a full re-apply, and of each change either a set
/// of element changes (the incremental path: one small netlink batch, no parse) or a script. Pure functions of their
/// arguments; the backend (<see cref="NftablesFirewall{TState, TChange}"/>) reads the kernel, runs the batch and
/// records it as Plexus's own.
/// </summary>
public interface INftablesPolicy<TState, TChange>
    where TState : class, IFirewallState
    where TChange : class, IFirewallChange<TState>
{
    /// <summary>The tables the policy owns; the first one with an <see cref="NftTable.AdminChain"/> is read before a full re-apply.</summary>
    IReadOnlyList<NftTable> Tables { get; }

    /// <summary>
    /// The comment prefix of the accept rules the policy inserts into other tables' forward chains with policy drop
    /// (coexistence); one of them deleted by someone else is answered by a repair. Null: it inserts none.
    /// </summary>
    string? ForeignRulePrefix { get; }

    /// <summary>
    /// <paramref name="change"/> as element additions and deletions, in the order they go in one batch; null when it
    /// needs a script (<see cref="Changes"/>). An empty list: nothing to do in the kernel.
    /// </summary>
    IReadOnlyList<NftElementChange>? Elements(TChange change);

    /// <summary>
    /// <paramref name="change"/> as one script (one batch). <paramref name="foreignDropChains"/> lists other tables'
    /// forward chains with policy drop, read from the kernel when called. Empty: nothing to do.
    /// </summary>
    string Changes(TChange change, Func<IReadOnlyList<ForeignChain>> foreignDropChains);

    /// <summary>
    /// The script that makes the policy's tables exactly <paramref name="next"/>'s, given what the main table holds
    /// now and the foreign drop-policy chains. Empty: nothing to do.
    /// </summary>
    string ReplaceAll(TState next, NftTableContents present, IReadOnlyList<ForeignChain> foreignDropChains);
}
