using System.Net;
using System.Net.Sockets;
using System.Text;
using Plexus.Kernel.Firewall;
using Plexus.Kernel.Firewall.Nftables;
using Plexus.Kernel.Types;

namespace Plexus.Engine.Drivers.Bridge.Firewall;

/// <summary>
/// The bridge firewall, table <c>bridge plexus</c>: what a bridge port may send (anti-spoofing) and what crosses an
/// icc=false bridge, seen at layer 2, before the bridge forwards a frame or hands it to the host. Pure functions, so
/// golden tests compare text. Used by both backends (the iptables one through libnftables too, when it is there:
/// ebtables cannot key a rule on port . MAC . address, so it would need a rule per endpoint).
///
/// Everything per endpoint is a set element keyed by its port (the host side of its veth, by name: the element can
/// exist before the port does, so a new port is guarded from its first frame). A frame from a guarded port is
/// checked with a few hash lookups of concatenated keys (port . MAC, port . MAC . address), so the cost per packet
/// does not grow with the number of endpoints. Ports are matched by name, not by their bridge: this kernel has no
/// meta ibrname (CONFIG_NFT_BRIDGE_META), and the port names are Plexus's own.
/// </summary>
public static class NftablesBridgeScript
{
    public const string Family = "bridge";
    public const string Table = "plexus";

    private const string T = Family + " " + Table;

    private const string Guarded = "ports-guarded";
    private const string IccOff = "ports-icc-off";
    private const string GuardMac = "guard-mac";
    private const string Guard4 = "guard4";
    private const string Guard6 = "guard6";

    private static readonly (string Name, string Type, string Comment)[] Sets =
    [
        (Guarded, "type ifname", "ports that send only with their endpoint's MAC and addresses (anti_spoofing)"),
        (IccOff, "type ifname", "ports of icc=false networks: only IP and ARP cross to another port"),
        (GuardMac, "type ifname . ether_addr", "port . its endpoint's MAC"),
        (Guard4, "type ifname . ether_addr . ipv4_addr", "port . MAC . its endpoint's IPv4 address"),
        // typeof, not type: the same key is looked up with the IPv6 source and with a neighbour advertisement's
        // target, which nft only reaches as a raw payload (@th), and a typed set refuses a raw key.
        (Guard6, "typeof iifname . ether saddr . @nh,64,128", "port . MAC . its endpoint's IPv6 addresses, link-local included"),
    ];

    private static readonly string[] GuardRules =
    [
        $"iifname . ether saddr != @{GuardMac} drop comment \"a port sends only with its endpoint's MAC\"",
        "ether type { 8021q, 8021ad } drop comment \"no VLAN tags: they would carry frames past the checks below\"",
        "arp htype != 1 drop comment \"ARP for Ethernet only\"",
        "arp ptype != ip drop comment \"ARP for IPv4 only\"",
        "arp hlen != 6 drop comment \"ARP with 6-byte hardware addresses only\"",
        "arp plen != 4 drop comment \"ARP with 4-byte protocol addresses only\"",
        $"iifname . arp saddr ether != @{GuardMac} drop comment \"ARP names only the endpoint's MAC as its sender\"",
        $"arp saddr ip != 0.0.0.0 iifname . arp saddr ether . arp saddr ip != @{Guard4} drop comment \"ARP names only the endpoint's address as its sender (0.0.0.0: a probe)\"",
        $"iifname . ether saddr . ip saddr != @{Guard4} drop comment \"IPv4 only from the endpoint's address\"",
        "icmpv6 type { nd-router-advert, nd-redirect } drop comment \"a sandbox is no router: no router advertisements, no redirects\"",
        $"ip6 saddr != :: iifname . ether saddr . @nh,64,128 != @{Guard6} drop comment \"IPv6 only from the endpoint's addresses\"",
        // 58 (ICMPv6) by number: nft resolves protocol names through /etc/protocols, which a minimal system lacks.
        "ip6 saddr :: meta l4proto != 58 drop comment \"the unspecified address only for address autoconfiguration\"",
        "ip6 saddr :: icmpv6 type != { nd-neighbor-solicit, mld-listener-report, mld2-listener-report } drop comment \"the unspecified address only for duplicate address detection and MLD\"",
        $"icmpv6 type nd-neighbor-advert iifname . ether saddr . @th,64,128 != @{Guard6} drop comment \"neighbour advertisements only for the endpoint's own addresses\"",
    ];

    private static readonly (string Name, string Hook, string[] Rules)[] BaseChains =
    [
        ("prerouting", "type filter hook prerouting priority filter; policy accept;",
        [
            $"iifname @{Guarded} jump port-guard comment \"frames from a guarded port, whether bridged or for the host\"",
        ]),
        ("forward", "type filter hook forward priority filter; policy accept;",
        [
            $"iifname @{IccOff} ether type != {{ ip, ip6, arp }} drop comment \"icc=false: nothing but IP and ARP crosses to another port\"",
        ]),
    ];

    /// <summary>The whole table for <paramref name="state"/>; empty when the state has no network.</summary>
    public static string Ruleset(FirewallState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.NetworksByTag.IsEmpty) return "";
        var elements = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var element in state.BridgePortsByName.Values.SelectMany(p => Elements(p, state)))
        {
            if (!elements.TryGetValue(element.Set, out var list)) elements[element.Set] = list = [];
            list.Add(element.Full);
        }
        var b = new StringBuilder();
        b.Append("table ").Append(T).Append(" {\n");
        foreach (var (name, type, comment) in Sets)
        {
            b.Append("\tset ").Append(name).Append(" {\n\t\t").Append(type).Append("\n\t\tcomment \"").Append(comment).Append("\"\n");
            if (elements.TryGetValue(name, out var list))
                b.Append("\t\telements = {\n\t\t\t").Append(string.Join(",\n\t\t\t", list)).Append("\n\t\t}\n");
            b.Append("\t}\n\n");
        }
        b.Append("\tchain port-guard {\n");
        foreach (var rule in GuardRules) b.Append("\t\t").Append(rule).Append('\n');
        b.Append("\t}\n");
        foreach (var (name, hook, rules) in BaseChains)
        {
            b.Append("\n\tchain ").Append(name).Append(" {\n\t\t").Append(hook).Append('\n');
            foreach (var rule in rules) b.Append("\t\t").Append(rule).Append('\n');
            b.Append("\t}\n");
        }
        b.Append("}\n");
        return b.ToString();
    }

    /// <summary>
    /// A full re-apply in one batch: the table is made to exist, deleted, and loaded afresh (it holds nothing of
    /// anyone else's). Nothing is left when the state has no network.
    /// </summary>
    public static string ReplaceAll(FirewallState next)
    {
        ArgumentNullException.ThrowIfNull(next);
        return $"add table {T}\ndelete table {T}\n{Ruleset(next)}";
    }

    /// <summary>The element changes of one committed transaction between two states that both hold networks.</summary>
    internal static string Changes(FirewallChange change) => Changes(change, undo: false);

    /// <summary>
    /// The element changes of a transaction, or (<paramref name="undo"/>) the ones that take them back: the iptables
    /// backend applies this table apart from its iptables batch and undoes it if that batch is refused.
    /// </summary>
    internal static string Changes(FirewallChange change, bool undo)
    {
        var b = new StringBuilder();
        foreach (var group in ElementChanges(change, undo).GroupBy(e => (e.Add, e.Element.Set)))
        {
            b.Append(group.Key.Add ? "add element " : "delete element ").Append(T).Append(' ').Append(group.Key.Set).Append(" { ")
                .AppendJoin(", ", group.Select(e => e.Add ? e.Element.Full : e.Element.Key)).Append(" }\n");
        }
        return b.ToString();
    }

    /// <summary>The same changes as <see cref="Changes(FirewallChange, bool)"/>, as keys in the kernel's encoding, for the kernel's element batch.</summary>
    internal static List<NftElementChange> BatchChanges(FirewallChange change, bool undo = false) =>
        [.. ElementChanges(change, undo).Select(e =>
            new NftElementChange(e.Add, NftFamily.Bridge, Table, e.Element.Set, e.Element.KeyBytes(), null, e.Add ? e.Element.Comment : null))];

    /// <summary>Deletions first, then additions, each grouped by set in a fixed order.</summary>
    private static List<(bool Add, Element Element)> ElementChanges(FirewallChange change, bool undo)
    {
        ArgumentNullException.ThrowIfNull(change);
        var (from, to) = undo ? (change.After, change.Before) : (change.Before, change.After);
        var (gone, come) = undo ? (change.BridgePortsAdded, change.BridgePortsRemoved) : (change.BridgePortsRemoved, change.BridgePortsAdded);
        // A network whose rules changed (icc, anti_spoofing) has all its ports' elements rendered anew.
        var changed = change.NetworksAdded.Select(n => n.Tag).Intersect(change.NetworksRemoved.Select(n => n.Tag)).ToHashSet(StringComparer.Ordinal);
        IEnumerable<BridgePort> Rerendered(FirewallState state) =>
            changed.Count == 0 ? [] : state.BridgePortsByName.Values.Where(p => changed.Contains(p.Network));
        var before = Keyed(gone.Concat(Rerendered(from)).Distinct(), from);
        var after = Keyed(come.Concat(Rerendered(to)).Distinct(), to);
        var (beforeSet, afterSet) = (before.ToHashSet(), after.ToHashSet());
        var result = new List<(bool, Element)>();
        foreach (var set in SetOrder) result.AddRange(before.Where(e => e.Set == set && !afterSet.Contains(e)).Select(e => (false, e)));
        foreach (var set in SetOrder) result.AddRange(after.Where(e => e.Set == set && !beforeSet.Contains(e)).Select(e => (true, e)));
        return result;
    }

    private static readonly string[] SetOrder = [Guarded, GuardMac, Guard4, Guard6, IccOff];

    /// <summary>The ports' elements in port order, each once.</summary>
    private static List<Element> Keyed(IEnumerable<BridgePort> ports, FirewallState state) =>
        [.. FirewallState.OrderBridgePorts(ports).SelectMany(p => Elements(p, state)).Distinct()];

    /// <summary>A port's elements under its network's current rules: nothing when the network neither guards nor has icc off.</summary>
    private static IEnumerable<Element> Elements(BridgePort p, FirewallState state)
    {
        if (!state.NetworksByTag.TryGetValue(p.Network, out var network)) yield break;
        if (network.AntiSpoofing)
        {
            yield return new Element(Guarded, p.PortName, null, null, p.Tag);
            yield return new Element(GuardMac, p.PortName, p.Mac, null, p.Tag);
            if (p.IPv4 is { } v4) yield return new Element(Guard4, p.PortName, p.Mac, v4, p.Tag);
            if (p.IPv6 is { } v6) yield return new Element(Guard6, p.PortName, p.Mac, v6, p.Tag);
            if (p.LinkLocal is { } linkLocal) yield return new Element(Guard6, p.PortName, p.Mac, linkLocal, p.Tag);
        }
        if (!network.Icc) yield return new Element(IccOff, p.PortName, null, null, p.Tag);
    }

    /// <summary>One element: a port, and with it a MAC, and with that an address. Equal elements are one key.</summary>
    private sealed record Element(string Set, string Port, MacAddress? Mac, IPAddress? Address, string Tag)
    {
        public string Comment => $"ep={Tag}";

        public string Key => Address is not null ? $"\"{Port}\" . {Mac} . {AddressText(Address)}"
            : Mac is not null ? $"\"{Port}\" . {Mac}"
            : $"\"{Port}\"";

        public string Full => $"{Key} comment \"{Comment}\"";

        /// <summary>The key as the kernel stores it: each field of the concatenation padded to 4 bytes.</summary>
        public byte[] KeyBytes()
        {
            int length = 16 + (Mac is null ? 0 : 8) + (Address is null ? 0 : Address.AddressFamily == AddressFamily.InterNetwork ? 4 : 16);
            var key = new byte[length];
            Encoding.ASCII.GetBytes(Port, key); // IFNAMSIZ bytes, zero-padded
            Mac?.CopyTo(key.AsSpan(16));
            Address?.TryWriteBytes(key.AsSpan(24), out _);
            return key;
        }

        public bool Equals(Element? other) => other is not null && Set == other.Set && Port == other.Port
            && Nullable.Equals(Mac, other.Mac) && Equals(Address, other.Address);

        public override int GetHashCode() => HashCode.Combine(Set, Port, Mac, Address);
    }

    /// <summary>guard6's addresses are written as the raw 128-bit integer its key holds.</summary>
    private static string AddressText(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetwork ? address.ToString() : Raw(address);

    /// <summary>An IPv6 address as the 128-bit integer guard6's raw key holds.</summary>
    private static string Raw(IPAddress address) => "0x" + Convert.ToHexStringLower(address.GetAddressBytes());
}
