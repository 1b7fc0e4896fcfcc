using System.Globalization;
using System.Text;

namespace Plexus.Kernel.Firewall.Iptables;

/// <summary>
/// iptables-restore input from two renderings of a policy (<see cref="IIptablesPolicy{TState, TChange}.Render"/>), and
/// the Plexus part of iptables-save output: pure functions, so golden tests compare text. Plexus's chains are named
/// PLEXUS*; the admin's chain PLEXUS-USER is created once and never flushed (DOCKER-USER's meaning). Chains of
/// order-free rules (<see cref="IptablesChainKind.Incremental"/>) are changed rule by rule (-A/-D), every other chain
/// is rewritten whole when it changes.
/// </summary>
public static class IptablesScript
{
    public const string UserChain = "PLEXUS-USER";
    public const string Prefix = "PLEXUS";

    /// <summary>Rules removed from an incremental chain beyond which the chain is rewritten instead.</summary>
    private const int RewriteAbove = 32;

    /// <summary>
    /// iptables-restore --noflush input that turns <paramref name="from"/> into <paramref name="to"/>, one block per
    /// table that changes. Applied the other way round it is the exact undo, which is how a transaction that fails
    /// in a later table is rolled back. <paramref name="userChainExists"/>: PLEXUS-USER is there already (it is then
    /// never declared, which would flush it).
    /// </summary>
    public static IReadOnlyList<(string Table, string Block)> Diff(IptablesRuleset from, IptablesRuleset to, bool userChainExists)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        var result = new List<(string, string)>();
        foreach (var table in IptablesRuleset.Tables)
        {
            var declare = new List<string>();
            var delete = new List<string>();
            var add = new List<string>();
            var remove = new List<string>();
            foreach (var chain in to.InTable(table))
            {
                var old = from.Find(table, chain.Name);
                switch (chain.Kind)
                {
                    case IptablesChainKind.Builtin:
                        var oldRules = old?.Rules ?? [];
                        foreach (var rule in Except(oldRules, chain.Rules)) delete.Add($"-D {chain.Name} {rule}");
                        // Plexus's jumps sit at the top, in order: each missing one goes in at its position.
                        var kept = Intersect(oldRules, chain.Rules);
                        for (int i = 0; i < chain.Rules.Count; i++)
                        {
                            if (kept.Remove(chain.Rules[i])) continue;
                            add.Add($"-I {chain.Name} {(i + 1).ToString(CultureInfo.InvariantCulture)} {chain.Rules[i]}");
                        }
                        break;
                    case IptablesChainKind.User:
                        if (old is null && !userChainExists) declare.Add($":{chain.Name} - [0:0]");
                        break;
                    case IptablesChainKind.Incremental when old is not null && Except(old.Rules, chain.Rules) is { Count: <= RewriteAbove } gone:
                        // Each -D searches the chain; past a few dozen, rewriting the chain whole is cheaper.
                        foreach (var rule in gone) delete.Add($"-D {chain.Name} {rule}");
                        foreach (var rule in Except(chain.Rules, old.Rules)) add.Add($"-A {chain.Name} {rule}");
                        break;
                    default:
                        if (old is not null && old.Rules.SequenceEqual(chain.Rules, StringComparer.Ordinal)) break;
                        declare.Add($":{chain.Name} - [0:0]");
                        foreach (var rule in chain.Rules) add.Add($"-A {chain.Name} {rule}");
                        break;
                }
            }
            foreach (var old in from.InTable(table).Where(c => to.Find(table, c.Name) is null))
            {
                switch (old.Kind)
                {
                    case IptablesChainKind.Builtin:
                        foreach (var rule in old.Rules) delete.Add($"-D {old.Name} {rule}");
                        break;
                    case IptablesChainKind.User:
                        remove.Add($"-X {old.Name}");
                        break;
                    default:
                        declare.Add($":{old.Name} - [0:0]");
                        remove.Add($"-X {old.Name}");
                        break;
                }
            }
            if (declare.Count + delete.Count + add.Count + remove.Count == 0) continue;
            var b = new StringBuilder();
            b.Append('*').Append(table).Append('\n');
            foreach (var line in declare.Concat(delete).Concat(add).Concat(remove)) b.Append(line).Append('\n');
            b.Append("COMMIT\n");
            result.Add((table, b.ToString()));
        }
        return result;
    }

    /// <summary>
    /// Reads the Plexus part out of iptables-save output: chains named PLEXUS*, and the rules in built-in chains
    /// that jump to them (kept verbatim, so they can be deleted by the same text).
    /// </summary>
    public static IptablesRuleset Parse(string save, bool ipv6)
    {
        ArgumentNullException.ThrowIfNull(save);
        var r = new IptablesRuleset(ipv6);
        string? table = null;
        var chains = new Dictionary<string, (bool Builtin, List<string> Rules)>(StringComparer.Ordinal);
        var order = new List<string>();
        void Flush()
        {
            if (table is null) return;
            foreach (var name in order)
            {
                var (builtin, rules) = chains[name];
                if (builtin && rules.Count == 0) continue;
                var kind = builtin ? IptablesChainKind.Builtin : name == UserChain ? IptablesChainKind.User : IptablesChainKind.Rendered;
                r.Add(new IptablesChain(table, name, kind, rules));
            }
            chains.Clear();
            order.Clear();
        }
        foreach (var raw in save.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.StartsWith('*'))
            {
                Flush();
                table = line[1..];
            }
            else if (line.StartsWith(':') && table is not null)
            {
                var parts = line[1..].Split(' ');
                bool builtin = parts.Length > 1 && parts[1] != "-";
                if (!builtin && !IsOurs(parts[0])) continue;
                chains[parts[0]] = (builtin, []);
                order.Add(parts[0]);
            }
            else if (line.StartsWith("-A ", StringComparison.Ordinal) && table is not null)
            {
                int space = line.IndexOf(' ', 3);
                if (space < 0) continue;
                var name = line[3..space];
                var rule = line[(space + 1)..];
                if (!chains.TryGetValue(name, out var chain)) continue;
                if (chain.Builtin && !JumpsToOurs(rule)) continue;
                chain.Rules.Add(rule);
            }
            else if (line == "COMMIT")
            {
                Flush();
                table = null;
            }
        }
        Flush();
        return r;
    }

    private static bool IsOurs(string chain) => chain == Prefix || chain.StartsWith(Prefix + "-", StringComparison.Ordinal);

    private static bool JumpsToOurs(string rule)
    {
        var tokens = rule.Split(' ');
        for (int i = 0; i + 1 < tokens.Length; i++)
        {
            if (tokens[i] is "-j" or "-g" && IsOurs(tokens[i + 1])) return true;
        }
        return false;
    }

    /// <summary>
    /// A comment match, written exactly as iptables-save prints it (always quoted), so the rules read back from
    /// the kernel compare equal to the rendered ones and a re-apply of the same state changes nothing.
    /// Comments never contain quotes or backslashes, which iptables-save would escape.
    /// </summary>
    public static string Comment(string text) => $"-m comment --comment \"{text}\"";

    /// <summary>Multiset difference: each rule of <paramref name="a"/> not matched by one in <paramref name="b"/>.</summary>
    private static List<string> Except(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var x in b) counts[x] = counts.GetValueOrDefault(x) + 1;
        var result = new List<string>();
        foreach (var x in a)
        {
            if (counts.TryGetValue(x, out int n) && n > 0) counts[x] = n - 1;
            else result.Add(x);
        }
        return result;
    }

    private static List<string> Intersect(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        var missing = Except(a, b);
        var result = new List<string>(a);
        foreach (var m in missing) result.Remove(m);
        return result;
    }
}
