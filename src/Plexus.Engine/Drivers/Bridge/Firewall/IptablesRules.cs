using Plexus.Kernel.Firewall;
using Plexus.Kernel.Firewall.Iptables;

namespace Plexus.Engine.Drivers.Bridge.Firewall;

/// <summary>
/// Turns the bridge firewall's state into iptables rules: pure functions, so golden tests compare text
/// (<see cref="IptablesScript"/> turns two renderings into iptables-restore input). The layout, per address family:
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
public static class IptablesRules
{
    private const string UserChain = IptablesScript.UserChain;

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

    private static string Comment(string text) => IptablesScript.Comment(text);
}
