using System.Globalization;
using System.Text;

namespace Plexus.Kernel.Firewall.Iptables;

/// <summary>
/// Turns firewall state into iptables rules and iptables-restore input: pure functions, so golden tests
/// compare text. The layout, per address family:
/// <code>
/// filter FORWARD     -j PLEXUS-USER, -j PLEXUS-FORWARD       (inserted at the top)
///        PLEXUS-USER     the admin's chain (like DOCKER-USER): created once, never flushed
///        PLEXUS-FORWARD  -i BR -j PLEXUS-FROM-BR for internal bridges, -o BR -j PLEXUS-TO-BR for every bridge,
///                        then -i BR -j PLEXUS-FROM-BR for the others
///        PLEXUS-TO-BR    into the bridge: replies, published ports (ctstate DNAT), icc or links; else DROP
///                        (the DROP is what isolates bridges from each other)
///        PLEXUS-FROM-BR  out of the bridge: ACCEPT (internal: DROP unless it stays on the bridge)
///        PLEXUS-LINKS    one ACCEPT per link and direction
/// nat    PREROUTING  ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j PLEXUS
///        OUTPUT      -m addrtype --dst-type LOCAL -j PLEXUS
///        POSTROUTING -j PLEXUS-POSTROUTING
///        PLEXUS      one DNAT per published port
///        PLEXUS-POSTROUTING  outbound, hairpin and loopback MASQUERADE per network
/// raw    PREROUTING  -j PLEXUS-PREROUTING   (IPv4)
///        PLEXUS-PREROUTING   containers may not reach 127.0.0.0/8 (bridges have route_localnet on)
/// </code>
/// Without sets, the nat PLEXUS chain and PLEXUS-LINKS grow with ports and links; they are changed rule by
/// rule (-A/-D), and every other chain is small and rewritten whole when its network changes.
/// </summary>
public static class IptablesScript
{
    public const string UserChain = "PLEXUS-USER";
    public const string Prefix = "PLEXUS";

    /// <summary>Rules removed from an incremental chain beyond which the chain is rewritten instead.</summary>
    private const int RewriteAbove = 32;

    /// <summary>The Plexus rules for one family (with the admin chain, and its jump, even when the state is empty if <paramref name="keepUserChain"/>).</summary>
    public static IptablesRuleset Render(FirewallState state, bool ipv6, bool keepUserChain = false)
    {
        ArgumentNullException.ThrowIfNull(state);
        var r = new IptablesRuleset(ipv6);
        if (state.IsEmpty)
        {
            if (keepUserChain)
            {
                r.Add(new IptablesChain("filter", "FORWARD", IptablesChainKind.Builtin, [$"-j {UserChain}"]));
                r.Add(new IptablesChain("filter", UserChain, IptablesChainKind.User, []));
            }
            return r;
        }
        var networks = state.NetworksByTag.Values.ToList();
        string host = ipv6 ? "/128" : "/32";

        if (!ipv6)
        {
            r.Add(new IptablesChain("raw", "PREROUTING", IptablesChainKind.Builtin, ["-j PLEXUS-PREROUTING"]));
            r.Add(new IptablesChain("raw", "PLEXUS-PREROUTING", IptablesChainKind.Rendered,
                [.. networks.Where(n => n.HasIPv4 && !n.Internal).Select(n =>
                    $"-d 127.0.0.0/8 -i {n.BridgeName} {Comment($"net={n.Tag} containers may not reach the host loopback")} -j DROP")]));
        }

        r.Add(new IptablesChain("nat", "PREROUTING", IptablesChainKind.Builtin,
            [ipv6 ? "-m addrtype --dst-type LOCAL -j PLEXUS" : "! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j PLEXUS"]));
        r.Add(new IptablesChain("nat", "OUTPUT", IptablesChainKind.Builtin, ["-m addrtype --dst-type LOCAL -j PLEXUS"]));
        r.Add(new IptablesChain("nat", "POSTROUTING", IptablesChainKind.Builtin, ["-j PLEXUS-POSTROUTING"]));
        r.Add(new IptablesChain("nat", "PLEXUS", IptablesChainKind.Incremental,
            [.. state.OrderedPorts.Where(p => p.IsIPv6 == ipv6 && !state.NetworksByTag[p.Network].Internal).Select(p => Dnat(p, host))]));
        var post = new List<string>();
        foreach (var n in networks.Where(n => !n.Internal))
        {
            var subnets = n.Subnets.Where(s => (s.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6) == ipv6).ToList();
            if (n.Masquerade)
            {
                foreach (var s in subnets)
                    post.Add($"-s {s} ! -o {n.BridgeName} {Comment($"net={n.Tag} outbound masquerade")} -j MASQUERADE");
            }
            foreach (var s in subnets)
                post.Add($"-s {s} -o {n.BridgeName} -m conntrack --ctstate DNAT {Comment($"net={n.Tag} hairpin")} -j MASQUERADE");
            if (!ipv6 && n.HasIPv4)
                post.Add($"-s 127.0.0.0/8 -o {n.BridgeName} {Comment($"net={n.Tag} the host reaching a published port through 127.0.0.1")} -j MASQUERADE");
        }
        r.Add(new IptablesChain("nat", "PLEXUS-POSTROUTING", IptablesChainKind.Rendered, post));

        r.Add(new IptablesChain("filter", "FORWARD", IptablesChainKind.Builtin, [$"-j {UserChain}", "-j PLEXUS-FORWARD"]));
        r.Add(new IptablesChain("filter", UserChain, IptablesChainKind.User, []));
        // Internal networks' way out comes first: their traffic must not reach a "published ports" accept in
        // the chain of the bridge it would enter.
        r.Add(new IptablesChain("filter", "PLEXUS-FORWARD", IptablesChainKind.Rendered,
        [
            .. networks.Where(n => n.Internal).Select(n => $"-i {n.BridgeName} {Comment($"net={n.Tag} out of the bridge")} -j PLEXUS-FROM-{n.BridgeName}"),
            .. networks.Select(n => $"-o {n.BridgeName} {Comment($"net={n.Tag} into the bridge")} -j PLEXUS-TO-{n.BridgeName}"),
            .. networks.Where(n => !n.Internal).Select(n => $"-i {n.BridgeName} {Comment($"net={n.Tag} out of the bridge")} -j PLEXUS-FROM-{n.BridgeName}"),
        ]));
        foreach (var n in networks)
        {
            var net = $"net={n.Tag}";
            var to = new List<string>();
            if (n.Internal) to.Add($"! -i {n.BridgeName} {Comment($"{net} internal: nothing enters from outside the network")} -j DROP");
            to.Add($"-m conntrack --ctstate RELATED,ESTABLISHED {Comment($"{net} replies")} -j ACCEPT");
            if (!n.Internal) to.Add($"-m conntrack --ctstate DNAT {Comment($"{net} published ports")} -j ACCEPT");
            to.Add(n.Icc
                ? $"-i {n.BridgeName} {Comment($"{net} icc")} -j ACCEPT"
                : $"-i {n.BridgeName} {Comment($"{net} links")} -j PLEXUS-LINKS");
            to.Add($"{Comment($"{net} {(n.Icc ? "" : "icc off, ")}isolation from other bridges, unsolicited inbound")} -j DROP");
            r.Add(new IptablesChain("filter", $"PLEXUS-TO-{n.BridgeName}", IptablesChainKind.Rendered, to));
            r.Add(new IptablesChain("filter", $"PLEXUS-FROM-{n.BridgeName}", IptablesChainKind.Rendered,
                [n.Internal
                    ? $"! -o {n.BridgeName} {Comment($"{net} internal: nothing leaves the network, not even to a published port")} -j DROP"
                    : $"{Comment($"{net} outbound")} -j ACCEPT"]));
        }
        r.Add(new IptablesChain("filter", "PLEXUS-LINKS", IptablesChainKind.Incremental,
            [.. state.OrderedLinks.Where(l => l.IsIPv6 == ipv6).SelectMany(l => Link(l, host))]));
        return r;
    }

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

    private static string Dnat(PortMapping p, string host)
    {
        var proto = p.Protocol.Name();
        var to = p.IsIPv6 ? $"[{p.ContainerIP}]:{p.ContainerPort}" : $"{p.ContainerIP}:{p.ContainerPort}";
        var dest = p.HostIP is null ? "" : $"-d {p.HostIP}{host} ";
        return $"{dest}-p {proto} -m {proto} --dport {p.HostPort} {Comment($"ep={p.Tag}")} -j DNAT --to-destination {to}";
    }

    private static IEnumerable<string> Link(LinkRule l, string host)
    {
        var proto = l.Protocol.Name();
        yield return $"-s {l.SourceIP}{host} -d {l.DestIP}{host} -p {proto} -m {proto} --dport {l.Port} {Comment($"link={l.Tag}")} -j ACCEPT";
        yield return $"-s {l.DestIP}{host} -d {l.SourceIP}{host} -p {proto} -m {proto} --sport {l.Port} {Comment($"link={l.Tag} the exposed port answering")} -j ACCEPT";
    }

    /// <summary>
    /// A comment match, written exactly as iptables-save prints it (always quoted), so the rules read back from
    /// the kernel compare equal to the rendered ones and a re-apply of the same state changes nothing.
    /// Comments never contain quotes or backslashes, which iptables-save would escape.
    /// </summary>
    private static string Comment(string text) => $"-m comment --comment \"{text}\"";

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
