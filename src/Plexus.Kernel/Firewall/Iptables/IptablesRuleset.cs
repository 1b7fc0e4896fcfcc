using System.Text;

namespace Plexus.Kernel.Firewall.Iptables;

/// <summary>How a chain's rules are changed.</summary>
public enum IptablesChainKind
{
    /// <summary>A chain iptables has (FORWARD, PREROUTING, ...): only Plexus's jumps, inserted at the top, deleted one by one.</summary>
    Builtin,

    /// <summary>A Plexus chain whose rule order matters: rewritten whole (declared, which flushes it, then filled).</summary>
    Rendered,

    /// <summary>A Plexus chain of order-free rules (one per port or link): rules added and deleted one by one.</summary>
    Incremental,

    /// <summary>The admin's chain: created when missing, never flushed.</summary>
    User,
}

/// <summary>One chain and its rules (each the text after "-A CHAIN ").</summary>
public sealed record IptablesChain(string Table, string Name, IptablesChainKind Kind, IReadOnlyList<string> Rules);

/// <summary>
/// The Plexus part of one address family's iptables: per table, the chains Plexus owns and its jumps in the
/// built-in chains. Produced from a policy's state by <see cref="IIptablesPolicy{TState, TChange}.Render"/> or parsed from
/// iptables-save; <see cref="IptablesScript.Diff"/> turns two of them into iptables-restore input.
/// </summary>
public sealed class IptablesRuleset
{
    /// <summary>Tables in the order their batches are written.</summary>
    public static IReadOnlyList<string> Tables { get; } = ["raw", "nat", "filter"];

    private readonly Dictionary<(string Table, string Chain), IptablesChain> _chains = [];
    private readonly List<(string Table, string Chain)> _order = [];

    public IptablesRuleset(bool ipv6) => IPv6 = ipv6;

    public bool IPv6 { get; }

    /// <summary>Chains in the order they were added.</summary>
    public IEnumerable<IptablesChain> Chains => _order.Select(k => _chains[k]);

    public IEnumerable<IptablesChain> InTable(string table) => Chains.Where(c => c.Table == table);

    public IptablesChain? Find(string table, string chain) => _chains.GetValueOrDefault((table, chain));

    public void Add(IptablesChain chain)
    {
        ArgumentNullException.ThrowIfNull(chain);
        if (!_chains.ContainsKey((chain.Table, chain.Name))) _order.Add((chain.Table, chain.Name));
        _chains[(chain.Table, chain.Name)] = chain;
    }

    /// <summary>iptables-save's shape: per table, the chain declarations then the rules (Plexus's only).</summary>
    public override string ToString()
    {
        var b = new StringBuilder();
        foreach (var table in Tables)
        {
            var chains = InTable(table).ToList();
            if (chains.Count == 0) continue;
            b.Append('*').Append(table).Append('\n');
            foreach (var c in chains) b.Append(':').Append(c.Name).Append(c.Kind == IptablesChainKind.Builtin ? " ACCEPT" : " -").Append(" [0:0]\n");
            foreach (var c in chains)
            {
                foreach (var r in c.Rules) b.Append("-A ").Append(c.Name).Append(' ').Append(r).Append('\n');
            }
            b.Append("COMMIT\n");
        }
        return b.ToString();
    }
}
