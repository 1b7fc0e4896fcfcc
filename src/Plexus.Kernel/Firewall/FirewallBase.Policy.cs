using System.Diagnostics;
using Plexus.Kernel.Namespaces;

namespace Plexus.Kernel.Firewall;

/// <summary>
/// A backend holding one policy's state: the committed state, the replay of a transaction's steps into a checked
/// change, the sysctls the rules rely on, and the choice between an incremental batch, a full re-apply and failing
/// closed. A backend turns a change into one batch and applies it, or throws and leaves the kernel as it was.
///
/// A commit whose incremental batch the kernel refuses re-applies the whole new state instead; if that fails too, or
/// the ruleset is known to be damaged and cannot be restored, the commit fails and nothing changes (fail closed).
/// </summary>
public abstract class FirewallBase<TState, TChange> : FirewallBase, IFirewall<TState, TChange>
    where TState : class, IFirewallState
    where TChange : class, IFirewallChange<TState>
{
    private TState _state;

    protected FirewallBase(NetworkNamespace? target, IFirewallPolicy<TState, TChange> policy) : base(target)
    {
        ArgumentNullException.ThrowIfNull(policy);
        Policy = policy;
        _state = policy.Empty;
    }

    public IFirewallPolicy<TState, TChange> Policy { get; }

    public TState State
    {
        get
        {
            lock (CommitLock) return _state;
        }
    }

    /// <summary>Whether this backend sets the sysctls its rules need (route_localnet, bridge-nf-call-*).</summary>
    protected virtual bool ManagesSysctls => true;

    public FirewallTransaction<TChange> Begin() => new(Commit);

    public void ReplaceAll(TState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        lock (CommitLock)
        {
            ApplySysctls(Policy.Sysctls(state));
            ApplyAll(_state, state);
            _state = state;
            DamageReason = null;
        }
    }

    public void Clear() => ReplaceAll(Policy.Empty);

    private void Commit(IReadOnlyList<Action<TChange>> steps)
    {
        FirewallRepair? repaired = null;
        lock (CommitLock)
        {
            var change = Policy.Edit(_state);
            foreach (var step in steps) step(change);
            change.Finish();
            if (change.IsEmpty && DamageReason is null) return;
            ApplySysctls(Policy.Sysctls(change));
            var started = Stopwatch.GetTimestamp();
            if (DamageReason is { } damage)
            {
                // The kernel does not hold the current state: only a whole re-apply can make it hold the next one.
                try
                {
                    ApplyAll(_state, change.After);
                }
                catch (FirewallException e)
                {
                    throw new FirewallException(
                        $"the firewall's rules were changed behind Plexus's back and cannot be restored ({damage}), so this change is refused: {e.Message}", e);
                }
                repaired = new FirewallRepair(damage, null, Stopwatch.GetElapsedTime(started), null);
                DamageReason = null;
            }
            else if (_state.IsEmpty || change.After.IsEmpty)
            {
                // From nothing or to nothing, a full re-apply: it also clears what a previous run left behind
                // (or removes the table outright), so the incremental path only ever sees a live ruleset.
                ApplyAll(_state, change.After);
            }
            else
            {
                try
                {
                    Apply(change);
                }
                catch (FirewallException first)
                {
                    // Refused: most likely Plexus's rules were changed behind its back (a flush the watcher has not
                    // reported yet, an element deleted by hand). Re-applying the whole next state repairs that and
                    // makes this change in the same atomic batch; if the kernel refuses that too, nothing changed.
                    try
                    {
                        ApplyAll(_state, change.After);
                    }
                    catch (FirewallException second)
                    {
                        throw new FirewallException($"{first.Message} (re-applying the whole ruleset was refused too: {second.Message})", first.BackendError, first);
                    }
                    repaired = new FirewallRepair($"the kernel refused an incremental change ({first.Message})", null, Stopwatch.GetElapsedTime(started), null);
                }
            }
            _state = change.After;
        }
        if (repaired is not null) OnRepaired(repaired);
    }

    private protected override bool HoldsNothing => _state.IsEmpty;

    private protected override void Reapply()
    {
        // Sysctls are not part of a ruleset a flush removes; a bridge gone behind Plexus's back must not stop
        // the other networks' rules from coming back.
        ApplySysctls(Policy.Sysctls(_state), bestEffort: true);
        ApplyAll(_state, _state);
    }

    /// <summary>
    /// Applies a change between two non-empty states as one atomic batch; throws <see cref="FirewallException"/>
    /// and changes nothing on failure.
    /// </summary>
    protected abstract void Apply(TChange change);

    /// <summary>Makes the kernel's rules of the policy exactly <paramref name="next"/>'s, whatever is there now.</summary>
    protected abstract void ApplyAll(TState current, TState next);

    private void ApplySysctls(IEnumerable<FirewallSysctl> sysctls, bool bestEffort = false)
    {
        if (!ManagesSysctls) return;
        var settings = sysctls.Distinct().ToList();
        if (settings.Count == 0) return;
        RunInTarget(() =>
        {
            foreach (var setting in settings)
            {
                try
                {
                    if (Sysctl.Read(setting.Key) != setting.Value) Sysctl.Write(setting.Key, setting.Value);
                }
                catch (KernelException e) when (!bestEffort)
                {
                    throw new FirewallException($"firewall ({Backend}): {setting.Why}: {e.Message}", e);
                }
                catch (KernelException)
                {
                }
            }
            return true;
        });
    }
}
