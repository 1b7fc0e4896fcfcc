namespace Plexus.Kernel.Firewall;

/// <summary>
/// A set of changes to the firewall, applied together by <see cref="Commit"/> as one backend batch; if anything
/// fails, nothing changes. Its steps edit the policy's change (<typeparamref name="TChange"/>); a policy gives them
/// names with extension methods ("AddNetwork", "AddPorts").
/// </summary>
public sealed class FirewallTransaction<TChange>
    where TChange : class
{
    private readonly Action<IReadOnlyList<Action<TChange>>> _commit;
    private readonly List<Action<TChange>> _steps = [];
    private bool _committed;

    internal FirewallTransaction(Action<IReadOnlyList<Action<TChange>>> commit) => _commit = commit;

    public int Count => _steps.Count;

    /// <summary>Adds a step, replayed on the firewall's state when the transaction commits.</summary>
    public FirewallTransaction<TChange> Add(Action<TChange> step)
    {
        ArgumentNullException.ThrowIfNull(step);
        if (_committed) throw new InvalidOperationException("this firewall transaction was already committed; begin a new one");
        _steps.Add(step);
        return this;
    }

    /// <summary>
    /// Applies every step at once. Throws <see cref="FirewallException"/> (and changes nothing) when the
    /// result is inconsistent or the backend refuses it. A transaction commits at most once.
    /// </summary>
    public void Commit()
    {
        if (_committed) throw new InvalidOperationException("this firewall transaction was already committed; begin a new one");
        _committed = true;
        _commit(_steps);
    }
}
