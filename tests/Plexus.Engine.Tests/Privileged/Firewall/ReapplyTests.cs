using System.Net;
using System.Text.RegularExpressions;
using Plexus.Engine.Drivers.Bridge.Firewall;
using Plexus.Kernel.Firewall;
using Plexus.Testing;

namespace Plexus.Engine.Tests.Privileged.Firewall;

/// <summary>Full re-apply after a flush, cleanup, atomic failure and the admin chain, for each backend.</summary>
[Trait("Category", "Privileged")]
public sealed partial class ReapplyTests
{
    public static TheoryData<string> Backends => [Firewalls.Nftables, Firewalls.Iptables];

    /// <summary>Two networks (one with icc off and a link), published ports, all sandboxes serving; checks run by <see cref="AssertWorks"/>.</summary>
    internal static FirewallWorld Build(string backend)
    {
        var w = new FirewallWorld(backend);
        var a = w.AddBridge("plx-a", "neta", "172.18.0.0/16", icc: false);
        var b = w.AddBridge("plx-b", "netb", "172.19.0.0/16");
        w.AddSandbox("web", a, "172.18.0.2");
        w.AddSandbox("app", a, "172.18.0.3");
        w.AddSandbox("b1", b, "172.19.0.2");
        w.StartHttp("web", 80, "web");
        w.StartHttp("app", 80, "app");
        w.StartHttp("b1", 80, "b1");
        w.StartHttp("outside", 80, "outside");
        w.Firewall.Begin()
            .AddNetwork(a).AddNetwork(b)
            .AddPorts(new PortMapping("ep-web", "neta", TransportProtocol.Tcp, null, 8080, IPAddress.Parse("172.18.0.2"), 80))
            .AddLinks(new LinkRule("ep-app", "neta", IPAddress.Parse("172.18.0.3"), IPAddress.Parse("172.18.0.2"), TransportProtocol.Tcp, 80))
            .Commit();
        return w;
    }

    internal static void AssertWorks(FirewallWorld w)
    {
        Assert.Equal("web", w.Curl("app", "http://172.18.0.2/"));                                  // link
        Assert.Null(w.Curl("web", "http://172.18.0.3/", maxTime: 1));                               // icc off
        Assert.Null(w.Curl("b1", "http://172.18.0.2/", maxTime: 1));                                // isolation
        Assert.Equal("outside", w.Curl("b1", $"http://{FirewallWorld.Outside}/"));                 // masquerade
        Assert.Equal("web", w.Curl("outside", $"http://{FirewallWorld.HostOutside}:8080/"));       // published
        Assert.Equal("web", w.Curl("host", "http://127.0.0.1:8080/"));                             // loopback
        Assert.Equal("web", w.Curl("web", $"http://{FirewallWorld.HostOutside}:8080/"));           // hairpin
    }

    [PrivilegedTheory]
    [MemberData(nameof(Backends))]
    public void After_a_flush_a_full_reapply_restores_everything_and_reapplying_again_changes_nothing(string backend)
    {
        using var w = Build(backend);
        AssertWorks(w);

        w.FlushFirewall();
        Assert.Equal("b1", w.Curl("app", "http://172.19.0.2/"));      // no isolation left
        Assert.Null(w.Curl("b1", $"http://{FirewallWorld.Outside}/", maxTime: 1)); // no masquerade left

        w.Firewall.ReplaceAll(w.Firewall.State);
        AssertWorks(w);

        var rules = Normalize(w.PlexusRules());
        w.Firewall.ReplaceAll(w.Firewall.State);
        Assert.Equal(rules, Normalize(w.PlexusRules()));
    }

    [PrivilegedTheory]
    [MemberData(nameof(Backends))]
    public void A_full_reapply_removes_rules_of_objects_not_in_the_state(string backend)
    {
        using var w = Build(backend);
        var state = w.Firewall.State;
        var onlyB = FirewallState.Create([state.Networks["netb"]], [], []);

        w.Firewall.ReplaceAll(onlyB);
        var rules = w.PlexusRules();
        Assert.DoesNotContain("plx-a", rules, StringComparison.Ordinal);
        Assert.DoesNotContain("ep-web", rules, StringComparison.Ordinal);
        Assert.Contains("plx-b", rules, StringComparison.Ordinal);
        // Without its rules plx-a is plain routing again: web and app talk, nothing is published.
        Assert.Equal("app", w.Curl("web", "http://172.18.0.3/"));
        Assert.Null(w.Curl("outside", $"http://{FirewallWorld.HostOutside}:8080/", maxTime: 1));
    }

    [PrivilegedTheory]
    [MemberData(nameof(Backends))]
    public void Removing_every_network_leaves_no_plexus_rule(string backend)
    {
        using var w = Build(backend);
        w.Firewall.Begin().RemoveNetwork("neta").Commit();
        Assert.Empty(w.Firewall.State.Ports);
        Assert.Empty(w.Firewall.State.Links);
        var partial = w.PlexusRules();
        Assert.DoesNotContain("plx-a", partial, StringComparison.Ordinal);
        Assert.DoesNotContain("neta", partial, StringComparison.Ordinal);

        w.Firewall.Begin().RemoveNetwork("netb").Commit();
        var rules = w.PlexusRules();
        Assert.DoesNotContain("plexus", rules, StringComparison.OrdinalIgnoreCase);
    }

    [PrivilegedTheory]
    [MemberData(nameof(Backends))]
    public void A_change_refused_because_rules_were_removed_by_hand_is_made_by_a_full_reapply(string backend)
    {
        using var w = Build(backend);
        // Someone removes a Plexus rule behind its back: deleting it again is refused by the kernel.
        if (backend == Firewalls.Nftables) w.HostExec("nft", "delete", "element", "inet", "plexus", "published4-any", "{ tcp . 8080 }");
        else w.HostExec("iptables", "-t", "nat", "-D", "PLEXUS", "-p", "tcp", "-m", "tcp", "--dport", "8080", "-m", "comment", "--comment", "ep=ep-web", "-j", "DNAT", "--to-destination", "172.18.0.2:80");
        var repairs = new List<FirewallRepair>();
        w.Firewall.Repaired += (_, r) => repairs.Add(r);

        var c = w.AddBridge("plx-c", "netc", "172.20.0.0/16");
        w.Firewall.Begin()
            .AddNetwork(c)
            .AddPorts(new PortMapping("ep-b1", "netb", TransportProtocol.Tcp, null, 9090, IPAddress.Parse("172.19.0.2"), 80))
            .RemovePorts("ep-web")
            .Commit();

        var repair = Assert.Single(repairs);
        Assert.True(repair.Succeeded, repair.ToString());
        Assert.Contains("refused an incremental change", repair.Reason, StringComparison.Ordinal);
        Assert.Equal("b1", w.Curl("outside", $"http://{FirewallWorld.HostOutside}:9090/"));
        Assert.Null(w.Curl("outside", $"http://{FirewallWorld.HostOutside}:8080/", maxTime: 1));
        Assert.Null(w.Curl("web", "http://172.18.0.3/", maxTime: 1)); // icc off still holds
    }

    [PrivilegedTheory]
    [MemberData(nameof(Backends))]
    public void A_transaction_the_kernel_refuses_changes_nothing(string backend)
    {
        using var w = Build(backend);
        // The admin's chain jumps to one of netb's chains, which removing netb deletes: the kernel refuses that,
        // as an incremental change and as a whole re-apply alike. (The jump never matches: forwarded traffic never
        // leaves by lo. It only has to exist.)
        if (backend == Firewalls.Nftables) w.HostExec("nft", "add", "rule", "inet", "plexus", "user-forward", "iifname", "plx-b", "oifname", "lo", "jump", "filter-from-plx-b");
        else w.HostExec("iptables", "-A", "PLEXUS-USER", "-i", "plx-b", "-o", "lo", "-j", "PLEXUS-FROM-plx-b");
        var before = Normalize(w.PlexusRules());
        var state = w.Firewall.State;

        var e = Assert.Throws<FirewallException>(() => w.Firewall.Begin()
            .RemoveNetwork("netb")
            .AddPorts(new PortMapping("ep-app", "neta", TransportProtocol.Tcp, null, 9090, IPAddress.Parse("172.18.0.3"), 80))
            .Commit());
        Assert.NotNull(e.BackendError);
        Assert.Contains("re-applying the whole ruleset was refused too", e.Message, StringComparison.Ordinal);

        Assert.Equal(before, Normalize(w.PlexusRules()));
        Assert.Same(state, w.Firewall.State);
        Assert.Null(w.Firewall.Damage);
        Assert.Null(w.Curl("outside", $"http://{FirewallWorld.HostOutside}:9090/", maxTime: 1));
        AssertWorks(w);

        // Once the admin lets go of the chain, the same change goes through.
        if (backend == Firewalls.Nftables) w.HostExec("nft", "flush", "chain", "inet", "plexus", "user-forward");
        else w.HostExec("iptables", "-F", "PLEXUS-USER");
        w.Firewall.Begin()
            .RemoveNetwork("netb")
            .AddPorts(new PortMapping("ep-app", "neta", TransportProtocol.Tcp, null, 9090, IPAddress.Parse("172.18.0.3"), 80))
            .Commit();
        Assert.Equal("app", w.Curl("outside", $"http://{FirewallWorld.HostOutside}:9090/"));
    }

    [PrivilegedTheory]
    [MemberData(nameof(Backends))]
    public void A_conflicting_port_is_refused_before_any_kernel_work(string backend)
    {
        using var w = Build(backend);
        var before = Normalize(w.PlexusRules());
        var e = Assert.Throws<FirewallException>(() => w.Firewall.Begin()
            .AddPorts(new PortMapping("ep-b1", "netb", TransportProtocol.Tcp, null, 8080, IPAddress.Parse("172.19.0.2"), 80))
            .Commit());
        Assert.Equal("host port 8080/tcp is already published by ep-web", e.Message);
        Assert.Equal(before, Normalize(w.PlexusRules()));
    }

    [PrivilegedTheory]
    [MemberData(nameof(Backends))]
    public void The_admin_chain_comes_first_and_survives_reapplies_and_removals(string backend)
    {
        using var w = Build(backend);
        // The admin forbids the outside world from reaching containers, and lets web reach app despite icc off.
        if (backend == Firewalls.Nftables)
        {
            w.HostExec("nft", "add", "rule", "inet", "plexus", "user-forward", "ip", "saddr", FirewallWorld.Outside, "drop");
            w.HostExec("nft", "add", "rule", "inet", "plexus", "user-forward", "ip", "saddr", "172.18.0.2", "ip", "daddr", "172.18.0.3", "accept");
        }
        else
        {
            w.HostExec("iptables", "-A", "PLEXUS-USER", "-s", FirewallWorld.Outside, "-j", "DROP");
            w.HostExec("iptables", "-A", "PLEXUS-USER", "-s", "172.18.0.2", "-d", "172.18.0.3", "-j", "ACCEPT");
        }
        void AssertAdminPolicy()
        {
            Assert.Null(w.Curl("outside", $"http://{FirewallWorld.HostOutside}:8080/", maxTime: 1));
            Assert.Equal("app", w.Curl("web", "http://172.18.0.3/"));
        }
        AssertAdminPolicy();

        w.Firewall.ReplaceAll(w.Firewall.State);
        AssertAdminPolicy();
        w.Firewall.Begin().AddNetwork(w.Firewall.State.Networks["neta"] with { Icc = true }).Commit();
        Assert.Null(w.Curl("outside", $"http://{FirewallWorld.HostOutside}:8080/", maxTime: 1));

        // With every network gone, the admin's chain and the jump to it remain; nothing else of Plexus does.
        w.Firewall.Clear();
        var rules = w.PlexusRules();
        Assert.Contains(FirewallWorld.Outside, rules, StringComparison.Ordinal);
        Assert.DoesNotContain("plx-a", rules, StringComparison.Ordinal);
        Assert.DoesNotContain("masquerade", rules, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Rule dumps without what changes between two dumps of the same rules (timestamps, counters, handles).</summary>
    internal static string Normalize(string rules) =>
        string.Join('\n', rules.Split('\n').Where(l => !l.StartsWith('#')).Select(l => Counters().Replace(l, "")));

    [GeneratedRegex(@"\[\d+:\d+\]|# handle \d+")]
    private static partial Regex Counters();
}
