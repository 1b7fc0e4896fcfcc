namespace Plexus.Kernel.Firewall;

/// <summary>
/// What a driver's firewall state is and means. The kernel layer keeps the state, serialises, checks and applies
/// commits atomically, diffs, repairs and fails closed; the policy defines the state (its objects, keyed by tag), how a
/// transaction edits it, and (through <see cref="Nftables"/> and <see cref="Iptables"/>) what it means in netfilter.
/// </summary>
public interface IFirewallPolicy<TState, TChange>
    where TState : class, IFirewallState
    where TChange : class, IFirewallChange<TState>
{
    /// <summary>The state with nothing in it: where a firewall starts, and what <see cref="IFirewall{TState, TChange}.Clear"/> makes.</summary>
    TState Empty { get; }

    /// <summary>A change starting at <paramref name="before"/>, for a transaction's steps to edit; they throw <see cref="FirewallException"/> on a conflict.</summary>
    TChange Edit(TState before);

    /// <summary>The kernel settings the rules of <paramref name="state"/> rely on (a full re-apply, a repair).</summary>
    IEnumerable<FirewallSysctl> Sysctls(TState state);

    /// <summary>The kernel settings what <paramref name="change"/> adds relies on, set before it is applied.</summary>
    IEnumerable<FirewallSysctl> Sysctls(TChange change);

    /// <summary>The state's meaning in nftables.</summary>
    Nftables.INftablesPolicy<TState, TChange> Nftables { get; }

    /// <summary>The state's meaning in iptables.</summary>
    Iptables.IIptablesPolicy<TState, TChange> Iptables { get; }
}

/// <summary>A policy's immutable state: everything the firewall enforces, as one value.</summary>
public interface IFirewallState
{
    bool IsEmpty { get; }
}

/// <summary>
/// A transaction's steps applied to a state: the state after, and (for the backends) exactly what differs, so their
/// work is proportional to the change.
/// </summary>
public interface IFirewallChange<out TState>
    where TState : class, IFirewallState
{
    TState Before { get; }

    /// <summary>The state after the change; valid once <see cref="Finish"/> has run.</summary>
    TState After { get; }

    bool IsEmpty { get; }

    /// <summary>Called once after the last step: computes <see cref="After"/> and the differences.</summary>
    void Finish();
}
