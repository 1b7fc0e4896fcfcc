using System.Collections.Concurrent;
using System.Net;
using Plexus.Engine.Drivers.Bridge.Firewall;
using Plexus.Kernel.Firewall;
using Plexus.Testing;
using Xunit.Abstractions;

namespace Plexus.Engine.Tests.Privileged.Firewall;

/// <summary>
/// The watcher: when someone else throws Plexus's rules away (nft flush ruleset, a reload, a deleted or flushed
/// table, iptables -F), they come back by themselves, and packets prove isolation, links, masquerade and published
/// ports work again without a restart. Plexus's own changes never look like tampering. Times are printed, not asserted.
/// </summary>
[Trait("Category", "Privileged")]
public sealed class SelfRepairTests(ITestOutputHelper output)
{
    /// <summary>Generous: the machine running the suite may be busy; the repair itself takes milliseconds.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    public static TheoryData<string> Backends => [Firewalls.Nftables, Firewalls.Iptables, FirewallWorld.IptablesLegacy];

    /// <summary>The reference world of <see cref="ReapplyTests"/>, watched, with every repair collected.</summary>
    private static (FirewallWorld World, BlockingCollection<FirewallRepair> Repairs) Watched(string backend)
    {
        var w = ReapplyTests.Build(backend);
        var repairs = new BlockingCollection<FirewallRepair>();
        w.Firewall.Repaired += (_, r) => repairs.Add(r);
        w.Firewall.StartWatching();
        return (w, repairs);
    }

    private FirewallRepair NextRepair(BlockingCollection<FirewallRepair> repairs)
    {
        Assert.True(repairs.TryTake(out var repair, Patience), $"no repair within {Patience.TotalSeconds} s");
        output.WriteLine(repair.ToString());
        Assert.True(repair.Succeeded, repair.ToString());
        return repair;
    }

    /// <summary>Runs <paramref name="assertions"/> until they pass, for <see cref="Patience"/> at most.</summary>
    private static void Eventually(Action assertions)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            try
            {
                assertions();
                return;
            }
            catch (Xunit.Sdk.XunitException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(100);
            }
        }
    }

    [PrivilegedTheory]
    [MemberData(nameof(Backends))]
    public void Throwing_every_rule_away_is_repaired_and_packets_flow_as_before(string backend)
    {
        var (w, repairs) = Watched(backend);
        using (w)
        {
            ReapplyTests.AssertWorks(w);
            var rules = ReapplyTests.Normalize(w.PlexusRules());

            w.FlushFirewall(); // nft flush ruleset, or an empty iptables-restore of every table
            var repair = NextRepair(repairs);
            // nf_tables names the process that committed the flush; iptables-legacy's tables are only polled.
            if (backend != FirewallWorld.IptablesLegacy) Assert.NotNull(repair.Actor);

            // iptables-restore commits table by table, and ip6tables after iptables: one flush may take two repairs.
            Eventually(() =>
            {
                ReapplyTests.AssertWorks(w);
                Assert.Equal(rules, ReapplyTests.Normalize(w.PlexusRules()));
            });
            Assert.Null(w.Firewall.Damage);
        }
    }

    [PrivilegedTheory]
    [InlineData("flush", "inet plexus")]
    [InlineData("delete", "deleted table inet plexus")]
    public void A_flushed_or_deleted_plexus_table_is_repaired(string verb, string reason)
    {
        var (w, repairs) = Watched(Firewalls.Nftables);
        using (w)
        {
            w.HostExec("nft", verb, "table", "inet", "plexus");
            Assert.Contains(reason, NextRepair(repairs).Reason, StringComparison.Ordinal);
            ReapplyTests.AssertWorks(w);
        }
    }

    [PrivilegedFact]
    public void A_published_port_deleted_by_hand_comes_back()
    {
        var (w, repairs) = Watched(Firewalls.Nftables);
        using (w)
        {
            w.HostExec("nft", "delete", "element", "inet", "plexus", "published4-any", "{ tcp . 8080 }");
            NextRepair(repairs);
            Assert.Equal("web", w.Curl("outside", $"http://{FirewallWorld.HostOutside}:8080/"));
        }
    }

    [PrivilegedFact]
    public void Iptables_F_alone_is_repaired()
    {
        var (w, repairs) = Watched(Firewalls.Iptables);
        using (w)
        {
            // The chains stay, empty, and the jumps into them go: what iptables -F does.
            w.HostExec("iptables", "-F");
            NextRepair(repairs);
            w.HostExec("iptables", "-t", "nat", "-F");
            Eventually(() => ReapplyTests.AssertWorks(w));
        }
    }

    [PrivilegedFact]
    public void A_reload_with_a_drop_policy_gets_plexus_coexistence_back()
    {
        var (w, repairs) = Watched(Firewalls.Nftables);
        using (w)
        {
            // What `systemctl reload nftables` does with a typical /etc/nftables.conf: flush, then a filter table
            // whose forward chain drops by default, all in one batch.
            var conf = Path.Combine(Path.GetTempPath(), $"plexus-nftables-{w.Net.Id}.conf");
            File.WriteAllText(conf, "flush ruleset\ntable inet filter {\n\tchain forward {\n\t\ttype filter hook forward priority filter; policy drop;\n\t}\n}\n");
            try
            {
                w.HostExec("nft", "-f", conf);
            }
            finally
            {
                File.Delete(conf);
            }
            NextRepair(repairs);
            ReapplyTests.AssertWorks(w);
            Assert.Contains("plexus net=neta", w.HostExec("nft", "list", "chain", "inet", "filter", "forward"), StringComparison.Ordinal);
        }
    }

    [PrivilegedTheory]
    [MemberData(nameof(Backends))]
    public void Plexus_changes_are_never_taken_for_tampering(string backend)
    {
        var (w, repairs) = Watched(backend);
        using (w)
        {
            var c = w.AddBridge("plx-c", "netc", "172.20.0.0/16");
            w.Firewall.Begin().AddNetwork(c).Commit();
            for (int i = 0; i < 20; i++)
            {
                w.Firewall.Begin().AddPorts(new PortMapping($"ep{i}", "netc", TransportProtocol.Tcp, null, 20000 + i, IPAddress.Parse("172.20.0.2"), 80)).Commit();
            }
            w.Firewall.ReplaceAll(w.Firewall.State);
            for (int i = 0; i < 20; i++) w.Firewall.Begin().RemovePorts($"ep{i}").Commit();
            w.Firewall.Begin().RemoveNetwork("netc").Commit();

            // Someone else's change to another table is not Plexus's business either (iptables-legacy cannot tell an
            // nf_tables table of someone else's from its bridge table: it looks, and finds nothing to repair).
            if (backend != FirewallWorld.IptablesLegacy)
            {
                w.HostExec("nft", "add", "table", "ip", "somebody");
                w.HostExec("nft", "delete", "table", "ip", "somebody");
            }

            Assert.False(repairs.TryTake(out var repair, TimeSpan.FromSeconds(1)), repair?.ToString());
        }
    }

    [PrivilegedFact]
    public void When_the_rules_cannot_be_restored_changes_fail_closed_until_they_can()
    {
        var (w, repairs) = Watched(Firewalls.Nftables);
        using (w)
        {
            // The admin's chain refers to a Plexus set: a whole re-apply, which deletes and recreates the sets, is
            // refused by the kernel for as long as that reference stays.
            w.HostExec("nft", "add", "rule", "inet", "plexus", "user-forward", "iifname", "@bridges", "counter");
            w.HostExec("nft", "flush", "chain", "inet", "plexus", "filter-forward");
            Assert.True(repairs.TryTake(out var failed, Patience), "no repair attempt");
            output.WriteLine(failed.ToString());
            Assert.False(failed.Succeeded);
            Assert.NotNull(w.Firewall.Damage);

            // Any change now fails with a clear error and changes nothing.
            var state = w.Firewall.State;
            var e = Assert.Throws<FirewallException>(() => w.Firewall.Begin()
                .AddPorts(new PortMapping("ep-app", "neta", TransportProtocol.Tcp, null, 9090, IPAddress.Parse("172.18.0.3"), 80))
                .Commit());
            Assert.Contains("cannot be restored", e.Message, StringComparison.Ordinal);
            Assert.Same(state, w.Firewall.State);
            Assert.Null(w.Curl("outside", $"http://{FirewallWorld.HostOutside}:9090/", maxTime: 1));
            // So does a transaction with nothing to change: the rules its caller relies on are not there.
            Assert.Throws<FirewallException>(() => w.Firewall.Begin().Commit());

            // The admin removes the reference: the watcher's next attempt (or the next change) restores everything.
            w.HostExec("nft", "flush", "chain", "inet", "plexus", "user-forward");
            var deadline = DateTime.UtcNow + Patience;
            FirewallRepair? repaired = null;
            while (repaired is not { Succeeded: true } && repairs.TryTake(out repaired, deadline - DateTime.UtcNow)) output.WriteLine(repaired.ToString());
            Assert.True(repaired is { Succeeded: true }, "the watcher did not restore the rules once it could");
            Assert.Null(w.Firewall.Damage);
            ReapplyTests.AssertWorks(w);
        }
    }
}
