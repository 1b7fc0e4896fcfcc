using Plexus.Kernel.Namespaces;

namespace Plexus.Kernel.Firewall;

/// <summary>
/// What every backend shares: the committed state, the lock that serialises commits, the replay of a
/// transaction's operations into a checked <see cref="FirewallChange"/>, and the sysctls the rules rely on.
/// A backend turns a change into one batch and applies it, or throws and leaves the kernel as it was.
/// </summary>
public abstract class FirewallBase : IFirewall
{
    private readonly Lock _lock = new();
    private FirewallState _state = FirewallState.Empty;

    protected FirewallBase(NetworkNamespace? target) => Target = target;

    public abstract string Backend { get; }

    /// <summary>The namespace whose firewall this is; null for the calling thread's own (tools, not tests).</summary>
    public NetworkNamespace? Target { get; }

    public FirewallState State
    {
        get
        {
            lock (_lock) return _state;
        }
    }

    /// <summary>Whether this backend sets the sysctls its rules need (route_localnet, bridge-nf-call-*).</summary>
    protected virtual bool ManagesSysctls => true;

    public FirewallTransaction Begin() => new(this);

    public void ReplaceAll(FirewallState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        lock (_lock)
        {
            ApplySysctls(state.Networks.Values);
            ApplyAll(_state, state);
            _state = state;
        }
    }

    internal void Commit(IReadOnlyList<FirewallOperation> operations)
    {
        lock (_lock)
        {
            var change = FirewallChange.Apply(_state, operations);
            if (change.IsEmpty) return;
            ApplySysctls(change.NetworksAdded);
            // From nothing or to nothing, a full re-apply: it also clears what a previous run left behind
            // (or removes the table outright), so the incremental path only ever sees a live ruleset.
            if (_state.IsEmpty || change.After.IsEmpty) ApplyAll(_state, change.After);
            else Apply(change);
            _state = change.After;
        }
    }

    /// <summary>
    /// Applies a change between two non-empty states as one atomic batch; throws <see cref="FirewallException"/>
    /// and changes nothing on failure.
    /// </summary>
    internal abstract void Apply(FirewallChange change);

    /// <summary>Makes the kernel's Plexus rules exactly <paramref name="next"/>'s, whatever is there now.</summary>
    protected abstract void ApplyAll(FirewallState current, FirewallState next);

    protected T RunInTarget<T>(Func<T> work) => Target is null ? work() : Target.Run(work);

    private void ApplySysctls(IEnumerable<BridgeRules> networks)
    {
        if (!ManagesSysctls) return;
        var settings = networks.SelectMany(FirewallSysctls.For).Distinct().ToList();
        if (settings.Count == 0) return;
        RunInTarget(() =>
        {
            foreach (var (key, value) in settings)
            {
                try
                {
                    if (Sysctl.Read(key) != value) Sysctl.Write(key, value);
                }
                catch (KernelException e)
                {
                    throw new FirewallException($"firewall ({Backend}): {FirewallSysctls.Why(key)}: {e.Message}", e);
                }
            }
            return true;
        });
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the backend's handles. The rules stay in the kernel, as Docker's do when it stops.</summary>
    protected virtual void Dispose(bool disposing) { }
}
