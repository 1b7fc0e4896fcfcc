using System.Diagnostics;
using Plexus.Kernel.Firewall.Nftables;
using Plexus.Kernel.Namespaces;

namespace Plexus.Kernel.Firewall;

/// <summary>
/// What every backend shares: the committed state, the lock that serialises commits, the replay of a
/// transaction's operations into a checked <see cref="FirewallChange"/>, the sysctls the rules rely on, and
/// self-repair. A backend turns a change into one batch and applies it, or throws and leaves the kernel as it was.
///
/// Self-repair: the state is the truth, the kernel's ruleset a copy that others can destroy (<c>nft flush
/// ruleset</c>, a reload of /etc/nftables.conf, <c>iptables -F</c>). A watcher (<see cref="StartWatching"/>)
/// notices when another process changes what Plexus owns and re-applies the whole state. A commit whose
/// incremental batch the kernel refuses re-applies the whole new state instead; if that fails too, or the
/// ruleset is known to be damaged and cannot be restored, the commit fails and nothing changes (fail closed).
/// </summary>
public abstract class FirewallBase : IFirewall
{
    private readonly Lock _lock = new();
    private FirewallState _state = FirewallState.Empty;
    private string? _damage;
    private IDisposable? _watcher;
    private NftGeneration? _generation;
    private readonly Lock _ownLock = new();
    private readonly HashSet<uint> _ownGenerations = [];
    private Watching.XtablesFingerprint? _fingerprint;
    private string? _baseline;
    private bool _foreignBeforeOwn;

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

    public event EventHandler<FirewallRepair>? Repaired;

    public bool IsWatching
    {
        get
        {
            lock (_lock) return _watcher is not null;
        }
    }

    /// <summary>Why the kernel is known not to hold <see cref="State"/> (a repair failed); null when it holds it as far as Plexus knows.</summary>
    public string? Damage
    {
        get
        {
            lock (_lock) return _damage;
        }
    }

    public virtual IReadOnlyList<string> Warnings => [];

    /// <summary>Whether this backend sets the sysctls its rules need (route_localnet, bridge-nf-call-*).</summary>
    protected virtual bool ManagesSysctls => true;

    public FirewallTransaction Begin() => new(this);

    public void StartWatching()
    {
        lock (_lock)
        {
            if (_watcher is not null) return;
            _watcher = CreateWatcher();
        }
    }

    /// <summary>The backend's watcher, or null when it has nothing to watch (NoFirewall).</summary>
    protected virtual IDisposable? CreateWatcher() => null;

    public void ReplaceAll(FirewallState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        lock (_lock)
        {
            ApplySysctls(state.Networks.Values);
            ApplyAll(_state, state);
            _state = state;
            _damage = null;
        }
    }

    internal void Commit(IReadOnlyList<FirewallOperation> operations)
    {
        FirewallRepair? repaired = null;
        lock (_lock)
        {
            var change = FirewallChange.Apply(_state, operations);
            if (change.IsEmpty && _damage is null) return;
            ApplySysctls(change.NetworksAdded);
            var started = Stopwatch.GetTimestamp();
            if (_damage is not null)
            {
                // The kernel does not hold the current state: only a whole re-apply can make it hold the next one.
                try
                {
                    ApplyAll(_state, change.After);
                }
                catch (FirewallException e)
                {
                    throw new FirewallException(
                        $"the firewall's rules were changed behind Plexus's back and cannot be restored ({_damage}), so this change is refused: {e.Message}", e);
                }
                repaired = new FirewallRepair(_damage, null, Stopwatch.GetElapsedTime(started), null);
                _damage = null;
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
        if (repaired is not null) Repaired?.Invoke(this, repaired);
    }

    /// <summary>
    /// Re-applies the whole state because the watcher saw another process change what Plexus owns. On failure the
    /// firewall is marked damaged: commits then fail until a repair (theirs or a later one of the watcher's) works.
    /// </summary>
    internal FirewallRepair? Repair(string reason, string? actor, long detectedAt)
    {
        FirewallRepair result;
        lock (_lock)
        {
            if (_state.IsEmpty && _damage is null) return null;
            try
            {
                // Sysctls are not part of a ruleset a flush removes; a bridge gone behind Plexus's back must not stop
                // the other networks' rules from coming back.
                ApplySysctls(_state.Networks.Values, bestEffort: true);
                ApplyAll(_state, _state);
                _damage = null;
                _foreignBeforeOwn = false; // what this repair found changed is answered
                result = new FirewallRepair(reason, actor, Stopwatch.GetElapsedTime(detectedAt), null);
            }
            catch (FirewallException e)
            {
                _damage = reason;
                result = new FirewallRepair(reason, actor, Stopwatch.GetElapsedTime(detectedAt), e.Message);
            }
        }
        Repaired?.Invoke(this, result);
        return result;
    }

    /// <summary>Whether an nf_tables notification is about something this backend owns (its tables, chains it jumps from).</summary>
    internal virtual bool Concerns(in NftNotification notification) => false;

    /// <summary>
    /// Runs one of Plexus's own batches and records the nf_tables generations it made, so the watcher does not take
    /// them for someone else's. <paramref name="batches"/> is how many commits it makes (iptables-nft commits each
    /// table on its own). If the count does not match, another process committed in between: nothing is recorded
    /// and the watcher judges every generation in the range as foreign (a needless repair at worst, never a missed one).
    /// </summary>
    protected T Recorded<T>(int batches, Func<T> run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var fingerprint = _fingerprint;
        if (fingerprint is not null)
        {
            // iptables-legacy: a change since the last look that was not Plexus's must not be taken for Plexus's own.
            if (fingerprint.Read() != _baseline) _foreignBeforeOwn = true;
            try
            {
                return run();
            }
            finally
            {
                _baseline = fingerprint.Read();
            }
        }
        var generation = _generation;
        if (generation is null) return run();
        uint before = generation.Current();
        try
        {
            return run();
        }
        finally
        {
            uint after = generation.Current();
            if (unchecked(after - before) == (uint)batches && batches > 0)
            {
                lock (_ownLock)
                {
                    for (uint g = unchecked(before + 1); g != unchecked(after + 1); g = unchecked(g + 1)) _ownGenerations.Add(g);
                }
            }
        }
    }

    protected void Recorded(int batches, Action run)
    {
        ArgumentNullException.ThrowIfNull(run);
        Recorded(batches, () =>
        {
            run();
            return true;
        });
    }

    /// <summary>Opens the generation reader that <see cref="Recorded{T}"/> uses; called by a backend's watcher before it starts.</summary>
    internal NftGeneration UseGenerations()
    {
        var generation = NftGeneration.Open(Target);
        lock (_lock) _generation = generation;
        return generation;
    }

    /// <summary>Starts tracking iptables-legacy's tables for <see cref="FingerprintChanged"/>; called by the legacy watcher.</summary>
    internal void UseFingerprint(Watching.XtablesFingerprint fingerprint)
    {
        lock (_lock)
        {
            _fingerprint = fingerprint;
            _baseline = fingerprint.Read();
        }
    }

    /// <summary>Whether iptables-legacy's tables changed since the last look other than by Plexus's own batches.</summary>
    internal bool FingerprintChanged()
    {
        lock (_lock)
        {
            var now = _fingerprint!.Read();
            bool changed = _foreignBeforeOwn || now != _baseline;
            _foreignBeforeOwn = false;
            _baseline = now;
            return changed;
        }
    }

    /// <summary>Whether generation <paramref name="generation"/> was one of Plexus's own batches (then forgotten: it is asked once).</summary>
    internal bool IsOwnGeneration(uint generation)
    {
        lock (_ownLock)
        {
            if (_ownGenerations.Remove(generation)) return true;
        }
        // A commit of ours may still be between its batch and recording it: it holds the commit lock until then.
        lock (_lock)
        {
            lock (_ownLock) return _ownGenerations.Remove(generation);
        }
    }

    /// <summary>After notifications were lost: whether any generation after <paramref name="from"/> up to <paramref name="to"/> was not Plexus's.</summary>
    internal bool AnyForeignGeneration(uint from, uint to)
    {
        lock (_lock)
        {
            lock (_ownLock)
            {
                bool foreign = false;
                for (uint g = unchecked(from + 1); g != unchecked(to + 1); g = unchecked(g + 1))
                    foreign |= !_ownGenerations.Remove(g);
                _ownGenerations.Clear(); // everything up to now has been judged
                return foreign;
            }
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

    private void ApplySysctls(IEnumerable<BridgeRules> networks, bool bestEffort = false)
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
                catch (KernelException e) when (!bestEffort)
                {
                    throw new FirewallException($"firewall ({Backend}): {FirewallSysctls.Why(key)}: {e.Message}", e);
                }
                catch (KernelException)
                {
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

    /// <summary>Stops the watcher and releases the backend's handles. The rules stay in the kernel, as Docker's do when it stops.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (!disposing) return;
        IDisposable? watcher;
        lock (_lock)
        {
            watcher = _watcher;
            _watcher = null;
        }
        // Outside the lock: the watcher's thread may be waiting for it to judge a generation.
        watcher?.Dispose();
        _generation?.Dispose();
        _fingerprint?.Dispose();
    }
}
