using System.Diagnostics;
using Plexus.Kernel.Firewall.Nftables;
using Plexus.Kernel.Namespaces;

namespace Plexus.Kernel.Firewall;

/// <summary>
/// What every backend shares whatever its policy: the lock that serialises commits, the damage mark, the watcher,
/// the bookkeeping of Plexus's own batches (nf_tables generations, iptables-legacy fingerprints) and self-repair.
/// <see cref="FirewallBase{TState, TChange}"/> adds the policy's state and the commit.
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
    private string? _damage;
    private IDisposable? _watcher;
    private NftGeneration? _generation;
    private readonly Lock _ownLock = new();
    private readonly HashSet<uint> _ownGenerations = [];
    private uint[] _ownPorts = [];
    private Watching.XtablesFingerprint? _fingerprint;
    private string? _baseline;
    private bool _foreignBeforeOwn;

    protected FirewallBase(NetworkNamespace? target) => Target = target;

    public abstract string Backend { get; }

    /// <summary>The namespace whose firewall this is; null for the calling thread's own (tools, not tests).</summary>
    public NetworkNamespace? Target { get; }

    public event EventHandler<FirewallRepair>? Repaired;

    public bool IsWatching
    {
        get
        {
            lock (_lock) return _watcher is not null;
        }
    }

    /// <summary>Why the kernel is known not to hold the state (a repair failed); null when it holds it as far as Plexus knows.</summary>
    public string? Damage
    {
        get
        {
            lock (_lock) return _damage;
        }
    }

    public virtual IReadOnlyList<string> Warnings => [];

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

    /// <summary>The lock that serialises commits, repairs and the judging of generations.</summary>
    private protected Lock CommitLock => _lock;

    /// <summary>Why the kernel is known not to hold the state; read and written under <see cref="CommitLock"/>.</summary>
    private protected string? DamageReason
    {
        get => _damage;
        set => _damage = value;
    }

    private protected void OnRepaired(FirewallRepair repair) => Repaired?.Invoke(this, repair);

    /// <summary>
    /// Re-applies the whole state because the watcher saw another process change what Plexus owns. On failure the
    /// firewall is marked damaged: commits then fail until a repair (theirs or a later one of the watcher's) works.
    /// </summary>
    internal FirewallRepair? Repair(string reason, string? actor, long detectedAt)
    {
        FirewallRepair result;
        lock (_lock)
        {
            if (HoldsNothing && _damage is null) return null;
            try
            {
                Reapply();
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

    /// <summary>
    /// Runs one of Plexus's own batches sent on one of the firewall's raw netlink sockets (<see cref="OwnSocket"/>).
    /// The kernel names the committing socket's port id in the header of the NEWGEN every batch ends with, so the
    /// watcher tells this batch from anyone else's by that alone: no generation read before or after it (two
    /// netlink round trips per join and leave). iptables-legacy's fingerprint still needs its reads.
    /// After lost notifications (an overrun) such batches cannot be told apart and count as foreign: a needless
    /// repair at worst, never a missed one.
    /// </summary>
    private protected void RecordedOnOwnSocket(Action run)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (_fingerprint is not null) Recorded(1, run);
        else run();
    }

    /// <summary>Makes the batches sent on the socket with netlink port id <paramref name="portId"/> Plexus's own (<see cref="RecordedOnOwnSocket"/>).</summary>
    private protected void OwnSocket(uint portId)
    {
        lock (_ownLock) _ownPorts = [.. _ownPorts, portId];
    }

    /// <summary>Whether the batch whose NEWGEN was sent for the socket <paramref name="portId"/> was sent on one of the firewall's own.</summary>
    internal bool IsOwnSocket(uint portId) => portId != 0 && Array.IndexOf(Volatile.Read(ref _ownPorts), portId) >= 0;

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

    /// <summary>Whether the state is empty (then a repair has nothing to put back); called under <see cref="CommitLock"/>.</summary>
    private protected abstract bool HoldsNothing { get; }

    /// <summary>Re-applies the whole state as it is; called under <see cref="CommitLock"/>. Throws <see cref="FirewallException"/>.</summary>
    private protected abstract void Reapply();

    protected T RunInTarget<T>(Func<T> work) => Target is null ? work() : Target.Run(work);

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
