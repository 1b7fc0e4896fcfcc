using System.Globalization;
using System.Net;
using System.Text;
using Plexus.Kernel.Firewall;
using Plexus.Kernel.Firewall.Nftables;

namespace Plexus.Engine.Drivers.Bridge.Firewall;

/// <summary>
/// Turns firewall state into nft scripts: pure functions, so golden tests compare text.
///
/// Layout (one table, inet plexus), in the style of moby's nftabler:
/// <list type="bullet">
/// <item>Base chains filter-forward, raw-prerouting, nat-prerouting, nat-output, nat-postrouting hold a fixed
/// handful of rules that dispatch through verdict maps keyed by bridge name (filter-to-bridge on oifname,
/// filter-from-bridge on iifname, nat-from-bridge, nat-to-bridge) to four chains per network.</item>
/// <item>Everything per endpoint lives in set and map elements: published ports in published4/6 (host address .
/// protocol . port) and published4/6-any (protocol . port, any local address), links in links4/6. No rule
/// list grows with ports or endpoints; adding the 1000th port is one element, like the first.</item>
/// <item>user-forward is the admin's chain, jumped to first from filter-forward; Plexus creates it and never
/// flushes it, so an accept there overrides Plexus's drops and a drop there is final (DOCKER-USER's meaning).</item>
/// <item>Every rule's comment names the network it exists for (net=TAG) and why; every element carries its
/// owner (net=, ep=, link=).</item>
/// </list>
/// </summary>
public static class NftablesScript
{
    public const string Family = "inet";
    public const string Table = "plexus";
    public const string UserChain = "user-forward";

    /// <summary>Comment prefix of the accept rules Plexus inserts into other tables' drop-policy forward chains.</summary>
    public const string ForeignRulePrefix = "plexus net=";

    private const string T = Family + " " + Table;

    private const string Ports = "meta l4proto { tcp, udp, sctp }";

    /// <summary>The table's sets and maps: keyword, name, type, comment.</summary>
    private static readonly (string Kind, string Name, string Type, string Comment)[] Sets =
    [
        ("set", "bridges", "ifname", "Plexus bridges, for the loopback guard"),
        ("map", "filter-to-bridge", "ifname : verdict", "forwarded into a bridge: its network's chain"),
        ("map", "filter-from-bridge", "ifname : verdict", "forwarded out of a bridge: its network's chain"),
        ("map", "nat-from-bridge", "ifname : verdict", "source NAT for traffic leaving a bridge"),
        ("map", "nat-to-bridge", "ifname : verdict", "source NAT for traffic entering a bridge"),
        ("map", "published4", "ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service", "ports published on one host address"),
        ("map", "published6", "ipv6_addr . inet_proto . inet_service : ipv6_addr . inet_service", "ports published on one host address"),
        ("map", "published4-any", "inet_proto . inet_service : ipv4_addr . inet_service", "ports published on every host address"),
        ("map", "published6-any", "inet_proto . inet_service : ipv6_addr . inet_service", "ports published on every host address"),
        ("set", "links4", "ipv4_addr . ipv4_addr . inet_proto . inet_service", "legacy links: source . destination . protocol . port"),
        ("set", "links6", "ipv6_addr . ipv6_addr . inet_proto . inet_service", "legacy links: source . destination . protocol . port"),
    ];

    private static readonly (string Name, string Hook, string[] Rules)[] BaseChains =
    [
        ("filter-forward", "type filter hook forward priority filter; policy accept;",
        [
            $"jump {UserChain} comment \"the admin's own policy first: accept or drop there is final\"",
            "iifname vmap @filter-from-bridge comment \"out of a Plexus bridge: internal networks stop here, before any accept\"",
            "oifname vmap @filter-to-bridge comment \"into a Plexus bridge\"",
        ]),
        ("raw-prerouting", "type filter hook prerouting priority raw; policy accept;",
        [
            "iifname @bridges ip daddr 127.0.0.0/8 drop comment \"containers may not reach the host's loopback (bridges have route_localnet on)\"",
        ]),
        ("nat-prerouting", "type nat hook prerouting priority dstnat; policy accept;",
        [
            "ip daddr 127.0.0.0/8 return comment \"loopback destinations are only published to the host itself\"",
            "fib daddr type local jump nat-published comment \"published ports, from outside and from containers (hairpin)\"",
        ]),
        ("nat-output", "type nat hook output priority -100; policy accept;",
        [
            "fib daddr type local jump nat-published comment \"published ports, from the host to its own addresses and 127.0.0.1\"",
        ]),
        ("nat-postrouting", "type nat hook postrouting priority srcnat; policy accept;",
        [
            "iifname vmap @nat-from-bridge comment \"leaving a bridge: masquerade\"",
            "oifname vmap @nat-to-bridge comment \"entering a bridge: hairpin and loopback masquerade\"",
        ]),
    ];

    private static readonly string[] PublishedRules =
    [
        $"{Ports} dnat ip to ip daddr . meta l4proto . th dport map @published4 comment \"published on one IPv4 address\"",
        $"{Ports} dnat ip6 to ip6 daddr . meta l4proto . th dport map @published6 comment \"published on one IPv6 address\"",
        $"meta nfproto ipv4 {Ports} dnat ip to meta l4proto . th dport map @published4-any comment \"published on every IPv4 address\"",
        $"meta nfproto ipv6 {Ports} dnat ip6 to meta l4proto . th dport map @published6-any comment \"published on every IPv6 address\"",
    ];

    /// <summary>
    /// Both of Plexus's tables for <paramref name="state"/>, in nft's own block syntax: what <c>nft list ruleset</c>
    /// shows of them (modulo nft's formatting). The bridge table is <see cref="NftablesBridgeScript"/>'s.
    /// </summary>
    public static string Ruleset(FirewallState state)
    {
        var bridge = NftablesBridgeScript.Ruleset(state);
        return bridge.Length == 0 ? InetRuleset(state) : InetRuleset(state) + "\n" + bridge;
    }

    /// <summary>The table inet plexus for <paramref name="state"/>: the body of a full re-apply.</summary>
    public static string InetRuleset(FirewallState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var elements = Elements(state);
        var b = new StringBuilder();
        b.Append("table ").Append(T).Append(" {\n");
        foreach (var (kind, name, type, comment) in Sets)
        {
            b.Append('\t').Append(kind).Append(' ').Append(name).Append(" {\n\t\ttype ").Append(type).Append("\n\t\tcomment \"").Append(comment).Append("\"\n");
            if (elements.TryGetValue(name, out var list) && list.Count > 0)
                b.Append("\t\telements = {\n\t\t\t").Append(string.Join(",\n\t\t\t", list)).Append("\n\t\t}\n");
            b.Append("\t}\n\n");
        }
        b.Append("\tchain ").Append(UserChain).Append(" {\n\t\tcomment \"").Append(UserChainComment).Append("\"\n\t}\n");
        foreach (var (name, hook, rules) in BaseChains) AppendChain(b, name, hook, rules);
        AppendChain(b, "nat-published", null, PublishedRules);
        foreach (var network in state.NetworksByTag.Values)
        {
            foreach (var (name, rules) in NetworkChains(network)) AppendChain(b, name, null, rules);
        }
        b.Append("}\n");
        return b.ToString();
    }

    /// <summary>
    /// A full re-apply as one batch: the table is made to exist, every object in it except the admin chain is
    /// flushed and deleted, and the state's ruleset is loaded. <paramref name="existing"/> is what the table holds now.
    /// With an empty state the table goes away entirely, unless the admin chain holds rules.
    /// </summary>
    public static string ReplaceAll(FirewallState next, NftTableContents existing)
    {
        ArgumentNullException.ThrowIfNull(next);
        ArgumentNullException.ThrowIfNull(existing);
        var b = new StringBuilder();
        if (next.IsEmpty && !existing.UserChainHasRules)
        {
            if (existing.Exists) b.Append("delete table ").Append(T).Append('\n');
            return b.ToString();
        }
        b.Append("add table ").Append(T).Append('\n');
        foreach (var chain in existing.Chains.Where(c => c != UserChain)) b.Append("flush chain ").Append(T).Append(' ').Append(chain).Append('\n');
        // Maps go before chains: a verdict map's elements refer to the chains they jump to.
        foreach (var set in existing.Sets) b.Append("delete set ").Append(T).Append(' ').Append(set).Append('\n');
        foreach (var map in existing.Maps) b.Append("delete map ").Append(T).Append(' ').Append(map).Append('\n');
        foreach (var chain in existing.Chains.Where(c => c != UserChain)) b.Append("delete chain ").Append(T).Append(' ').Append(chain).Append('\n');
        b.Append(next.IsEmpty ? UserChainOnly() : InetRuleset(next));
        return b.ToString();
    }

    /// <summary>
    /// The commands for one committed transaction between two non-empty states: only what changed. Per-network
    /// chains are added, flushed and filled (right whether or not they exist); elements are added and deleted by key.
    /// </summary>
    internal static string Changes(FirewallChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var b = new StringBuilder();

        var addedBridges = change.NetworksAdded.ToDictionary(n => n.Tag, StringComparer.Ordinal);
        var removedBridges = change.NetworksRemoved.ToDictionary(n => n.Tag, StringComparer.Ordinal);

        // Elements going away first (a port moved to another container is a delete then an add of one key).
        AppendElements(b, "delete", RenderedPorts(change.PortsRemoved, change.Before, change).Select(PortElement).Select(p => (p.Set, p.Element.Key)));
        foreach (var link in FirewallState.OrderLinks(change.LinksRemoved))
            b.Append("delete element ").Append(T).Append(' ').Append(LinkSet(link)).Append(" { ").Append(LinkKey(link)).Append(" }\n");

        foreach (var old in change.NetworksRemoved)
        {
            bool sameBridge = addedBridges.TryGetValue(old.Tag, out var now) && now.BridgeName == old.BridgeName;
            if (sameBridge) continue; // the chains are refilled below; the map entries stay
            foreach (var (map, _) in Dispatch) b.Append("delete element ").Append(T).Append(' ').Append(map).Append(" { \"").Append(old.BridgeName).Append("\" }\n");
            b.Append("delete element ").Append(T).Append(" bridges { \"").Append(old.BridgeName).Append("\" }\n");
            foreach (var (chain, _) in NetworkChains(old))
            {
                b.Append("flush chain ").Append(T).Append(' ').Append(chain).Append('\n');
                b.Append("delete chain ").Append(T).Append(' ').Append(chain).Append('\n');
            }
        }

        foreach (var network in change.NetworksAdded)
        {
            // add + flush + fill: correct whether or not a chain of that name is already there.
            foreach (var (chain, rules) in NetworkChains(network))
            {
                b.Append("add chain ").Append(T).Append(' ').Append(chain).Append('\n');
                b.Append("flush chain ").Append(T).Append(' ').Append(chain).Append('\n');
                foreach (var rule in rules) b.Append("add rule ").Append(T).Append(' ').Append(chain).Append(' ').Append(rule).Append('\n');
            }
            bool sameBridge = removedBridges.TryGetValue(network.Tag, out var old) && old.BridgeName == network.BridgeName;
            if (sameBridge) continue;
            foreach (var (map, prefix) in Dispatch)
                b.Append("add element ").Append(T).Append(' ').Append(map).Append(" { ").Append(DispatchElement(network, prefix)).Append(" }\n");
            b.Append("add element ").Append(T).Append(" bridges { ").Append(BridgeElement(network)).Append(" }\n");
        }

        AppendElements(b, "add", RenderedPorts(change.PortsAdded, change.After, change).Select(PortElement).Select(p => (p.Set, p.Element.Full)));
        foreach (var link in FirewallState.OrderLinks(change.LinksAdded))
            b.Append("add element ").Append(T).Append(' ').Append(LinkSet(link)).Append(" { ").Append(LinkElement(link)).Append(" }\n");

        return b.ToString();
    }

    /// <summary>
    /// One command per set for all its elements: libnftables evaluates each command on its own, so a thousand
    /// ports as a thousand commands cost it a third more than as one command holding a thousand elements.
    /// </summary>
    private static void AppendElements(StringBuilder b, string verb, IEnumerable<(string Set, string Element)> elements)
    {
        foreach (var group in elements.GroupBy(e => e.Set, StringComparer.Ordinal))
        {
            b.Append(verb).Append(" element ").Append(T).Append(' ').Append(group.Key).Append(" { ");
            bool first = true;
            foreach (var (_, element) in group)
            {
                if (!first) b.Append(", ");
                b.Append(element);
                first = false;
            }
            b.Append(" }\n");
        }
    }

    /// <summary>
    /// The same change as <see cref="Changes"/> when no network changed (published ports and links only), as set and map
    /// elements in the kernel's encoding for the kernel's element batch: deletions first, each group by set.
    /// </summary>
    internal static List<NftElementChange> BatchChanges(FirewallChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (change.NetworksChanged) throw new InvalidOperationException("a change of networks is written as a script, not as elements");
        var removed = RenderedPorts(change.PortsRemoved, change.Before, change).Select(p => PortChange(p, add: false))
            .Concat(FirewallState.OrderLinks(change.LinksRemoved).Select(l => LinkChange(l, add: false)));
        var added = RenderedPorts(change.PortsAdded, change.After, change).Select(p => PortChange(p, add: true))
            .Concat(FirewallState.OrderLinks(change.LinksAdded).Select(l => LinkChange(l, add: true)));
        return [.. removed.OrderBy(e => e.Set, StringComparer.Ordinal), .. added.OrderBy(e => e.Set, StringComparer.Ordinal)];
    }

    private static NftElementChange PortChange(PortMapping p, bool add)
    {
        byte[] protocol = [ProtocolNumber(p.Protocol)];
        var key = p.HostIP is null ? NftElementChange.Concat(protocol, Service(p.HostPort))
            : NftElementChange.Concat(p.HostIP.GetAddressBytes(), protocol, Service(p.HostPort));
        var data = NftElementChange.Concat(p.ContainerIP.GetAddressBytes(), Service(p.ContainerPort));
        var set = (p.IsIPv6 ? "published6" : "published4") + (p.HostIP is null ? "-any" : "");
        return new NftElementChange(add, NftFamily.Inet, Table, set, key, add ? data : null, add ? $"ep={p.Tag}" : null);
    }

    private static NftElementChange LinkChange(LinkRule l, bool add) =>
        new(add, NftFamily.Inet, Table, LinkSet(l),
            NftElementChange.Concat(l.SourceIP.GetAddressBytes(), l.DestIP.GetAddressBytes(), [ProtocolNumber(l.Protocol)], Service(l.Port)),
            null, add ? $"link={l.Tag}" : null);

    /// <summary>IPPROTO_*: inet_proto's value.</summary>
    private static byte ProtocolNumber(TransportProtocol protocol) => protocol switch
    {
        TransportProtocol.Tcp => 6,
        TransportProtocol.Udp => 17,
        TransportProtocol.Sctp => 132,
        _ => throw new ArgumentOutOfRangeException(nameof(protocol), protocol, "not a transport protocol"),
    };

    /// <summary>inet_service: the port in network byte order.</summary>
    private static byte[] Service(int port) => [(byte)(port >> 8), (byte)port];

    /// <summary>
    /// Coexistence with other tables' forward chains whose policy is drop (an <c>inet filter</c> table, or
    /// iptables-nft's <c>ip filter FORWARD</c> with policy DROP): an accept in our base chain does not stop
    /// another base chain's drop, so for each such chain one accept rule per direction per bridge is inserted at
    /// its top, tagged "plexus net=TAG in|out BRIDGE". Plexus's own chain still decides (it sees the packet too);
    /// the inserted rules only stop the foreign policy from overruling it. Stale ones are deleted by handle.
    /// </summary>
    public static string Coexistence(IEnumerable<ForeignChain> chains, FirewallState next)
    {
        ArgumentNullException.ThrowIfNull(chains);
        ArgumentNullException.ThrowIfNull(next);
        var b = new StringBuilder();
        foreach (var chain in chains)
        {
            var wanted = next.NetworksByTag.Values
                .SelectMany(n => new[] { ($"{ForeignRulePrefix}{n.Tag} in {n.BridgeName}", $"oifname \"{n.BridgeName}\""), ($"{ForeignRulePrefix}{n.Tag} out {n.BridgeName}", $"iifname \"{n.BridgeName}\"") })
                .ToList();
            var present = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (handle, comment) in chain.PlexusRules)
            {
                if (wanted.Any(w => w.Item1 == comment) && present.Add(comment)) continue;
                b.Append("delete rule ").Append(chain.Family).Append(' ').Append(chain.Table).Append(' ').Append(chain.Name)
                    .Append(" handle ").Append(handle.ToString(CultureInfo.InvariantCulture)).Append('\n');
            }
            foreach (var (comment, match) in wanted.Where(w => !present.Contains(w.Item1)))
            {
                b.Append("insert rule ").Append(chain.Family).Append(' ').Append(chain.Table).Append(' ').Append(chain.Name)
                    .Append(' ').Append(match).Append(" accept comment \"").Append(comment).Append("\"\n");
            }
        }
        return b.ToString();
    }

    private const string UserChainComment = "the admin's forwarding policy, evaluated before Plexus's rules; Plexus never flushes it";

    /// <summary>The verdict maps each network has an entry in, with the prefix of the chain the entry jumps to.</summary>
    private static readonly (string Map, string ChainPrefix)[] Dispatch =
    [
        ("filter-to-bridge", "filter-to-"),
        ("filter-from-bridge", "filter-from-"),
        ("nat-from-bridge", "nat-from-"),
        ("nat-to-bridge", "nat-to-"),
    ];

    /// <summary>The four chains of a network and their rules.</summary>
    internal static IEnumerable<(string Chain, IReadOnlyList<string> Rules)> NetworkChains(BridgeRules n)
    {
        var br = n.BridgeName;
        var net = $"net={n.Tag}";

        // Forwarded into the bridge: replies, published ports, icc or links, and nothing else.
        var to = new List<string>();
        if (n.Internal) to.Add($"iifname != \"{br}\" drop comment \"{net} internal: nothing enters from outside the network\"");
        to.Add($"ct state established,related accept comment \"{net} replies\"");
        if (!n.Internal) to.Add($"ct status dnat accept comment \"{net} published ports\"");
        if (n.Icc)
        {
            to.Add($"iifname \"{br}\" accept comment \"{net} icc\"");
        }
        else
        {
            to.Add($"iifname \"{br}\" ip saddr . ip daddr . meta l4proto . th dport @links4 accept comment \"{net} links\"");
            to.Add($"iifname \"{br}\" ip daddr . ip saddr . meta l4proto . th sport @links4 accept comment \"{net} links, the exposed port answering\"");
            to.Add($"iifname \"{br}\" ip6 saddr . ip6 daddr . meta l4proto . th dport @links6 accept comment \"{net} links\"");
            to.Add($"iifname \"{br}\" ip6 daddr . ip6 saddr . meta l4proto . th sport @links6 accept comment \"{net} links, the exposed port answering\"");
        }
        to.Add($"drop comment \"{net} {(n.Icc ? "" : "icc off, ")}isolation from other bridges, unsolicited inbound\"");

        // Forwarded out of the bridge, looked at before the chain of the bridge it enters: an internal network's
        // traffic must not reach the "published ports" accept there. Anything else is decided by that chain
        // (isolation) or, going to the world, accepted by the base chain's policy.
        string[] from = n.Internal
            ? [$"oifname != \"{br}\" drop comment \"{net} internal: nothing leaves the network, not even to a published port\""]
            : [];

        // Leaving the bridge: masquerade the subnets' traffic going anywhere else.
        var natFrom = new List<string>();
        if (n.Masquerade && !n.Internal)
        {
            foreach (var subnet in n.Subnets)
                natFrom.Add($"oifname != \"{br}\" {IpKeyword(subnet.BaseAddress)} saddr {subnet} masquerade comment \"{net} outbound masquerade\"");
        }

        // Entering the bridge: a container reaching a published port of its own bridge through a host address
        // (hairpin) must see the reply come from the host, and the host's 127.0.0.1 cannot be a source on the wire.
        // The hairpin rule matches the source subnet, not iifname: when the DNAT target sits on the same bridge,
        // br_netfilter bridges the packet back out ("bridged DNAT") and runs postrouting with no input device.
        var natTo = new List<string>();
        if (!n.Internal)
        {
            foreach (var subnet in n.Subnets)
                natTo.Add($"{IpKeyword(subnet.BaseAddress)} saddr {subnet} ct status dnat masquerade comment \"{net} hairpin: a container reaching its own bridge through a published port\"");
            if (n.HasIPv4) natTo.Add($"ip saddr 127.0.0.0/8 masquerade comment \"{net} the host reaching a published port through 127.0.0.1\"");
        }

        yield return ("filter-to-" + br, to);
        yield return ("filter-from-" + br, from);
        yield return ("nat-from-" + br, natFrom);
        yield return ("nat-to-" + br, natTo);
    }

    /// <summary>Every set's elements, in a stable order.</summary>
    private static Dictionary<string, List<string>> Elements(FirewallState state)
    {
        var e = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        void Add(string set, string element)
        {
            if (!e.TryGetValue(set, out var list)) e[set] = list = [];
            list.Add(element);
        }
        foreach (var n in state.NetworksByTag.Values)
        {
            Add("bridges", BridgeElement(n));
            foreach (var (map, prefix) in Dispatch) Add(map, DispatchElement(n, prefix));
        }
        foreach (var (set, element) in RenderedPorts(state.OrderedPorts, state, null).Select(PortElement)) Add(set, element.Full);
        foreach (var l in state.OrderedLinks) Add(LinkSet(l), LinkElement(l));
        return e;
    }

    /// <summary>
    /// Ports of internal networks are kept in the state but not published (Docker's behaviour), so which ports
    /// are rendered depends on their network; when a network turns internal (or back), all its ports go (or come).
    /// </summary>
    private static IEnumerable<PortMapping> RenderedPorts(IEnumerable<PortMapping> ports, FirewallState state, FirewallChange? change)
    {
        if (change is not null)
        {
            var flipped = change.NetworksAdded
                .Where(n => change.Before.NetworksByTag.TryGetValue(n.Tag, out var old) && old.Internal != n.Internal)
                .Select(n => n.Tag).ToHashSet(StringComparer.Ordinal);
            if (flipped.Count > 0) ports = ports.Concat(state.PortsByBinding.Values.Where(p => flipped.Contains(p.Network))).Distinct();
        }
        return FirewallState.OrderPorts(ports.Where(p => state.NetworksByTag.TryGetValue(p.Network, out var n) && !n.Internal));
    }

    private static (string Set, (string Key, string Full) Element) PortElement(PortMapping p)
    {
        var proto = p.Protocol.Name();
        var key = p.HostIP is null ? $"{proto} . {p.HostPort}" : $"{p.HostIP} . {proto} . {p.HostPort}";
        var set = (p.IsIPv6 ? "published6" : "published4") + (p.HostIP is null ? "-any" : "");
        return (set, (key, $"{key} comment \"ep={p.Tag}\" : {p.ContainerIP} . {p.ContainerPort}"));
    }

    private static string LinkSet(LinkRule l) => l.IsIPv6 ? "links6" : "links4";

    private static string LinkKey(LinkRule l) => $"{l.SourceIP} . {l.DestIP} . {l.Protocol.Name()} . {l.Port}";

    private static string LinkElement(LinkRule l) => $"{LinkKey(l)} comment \"link={l.Tag}\"";

    private static string BridgeElement(BridgeRules n) => $"\"{n.BridgeName}\" comment \"net={n.Tag}\"";

    private static string DispatchElement(BridgeRules n, string chainPrefix) =>
        $"\"{n.BridgeName}\" comment \"net={n.Tag}\" : jump {chainPrefix}{n.BridgeName}";

    private static string IpKeyword(IPAddress a) => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? "ip" : "ip6";

    private static void AppendChain(StringBuilder b, string name, string? hook, IReadOnlyList<string> rules)
    {
        b.Append("\n\tchain ").Append(name).Append(" {\n");
        if (hook is not null) b.Append("\t\t").Append(hook).Append('\n');
        foreach (var rule in rules) b.Append("\t\t").Append(rule).Append('\n');
        b.Append("\t}\n");
    }

    /// <summary>The table when no network is left but the admin chain holds rules: that chain and the jump to it.</summary>
    private static string UserChainOnly()
    {
        var b = new StringBuilder();
        b.Append("table ").Append(T).Append(" {\n");
        b.Append("\tchain ").Append(UserChain).Append(" {\n\t\tcomment \"").Append(UserChainComment).Append("\"\n\t}\n");
        AppendChain(b, BaseChains[0].Name, BaseChains[0].Hook, [BaseChains[0].Rules[0]]);
        b.Append("}\n");
        return b.ToString();
    }

}
