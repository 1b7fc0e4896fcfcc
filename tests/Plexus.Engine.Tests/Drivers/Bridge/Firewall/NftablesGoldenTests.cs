using Plexus.Engine.Drivers.Bridge.Firewall;
using Plexus.Kernel.Firewall;
using Plexus.Kernel.Firewall.Nftables;
using static Plexus.Engine.Tests.Drivers.Bridge.Firewall.FirewallScenarios;

namespace Plexus.Engine.Tests.Drivers.Bridge.Firewall;

public sealed class NftablesGoldenTests
{
    [Theory]
    [MemberData(nameof(Names), MemberType = typeof(FirewallScenarios))]
    public void Ruleset_matches_golden(string scenario) =>
        FirewallGolden.Verify($"nftables/{scenario}.nft", NftablesScript.Ruleset(All[scenario]));

    [Fact]
    public void Adding_a_port_is_one_element()
    {
        var before = All["icc-on"];
        var change = FirewallChange.Apply(before, [new FirewallOperation.AddPorts([Port("ep-a", "8080", "172.18.0.2", 80)])]);
        Assert.Equal("add element inet plexus published4-any { tcp . 8080 comment \"ep=ep-a\" : 172.18.0.2 . 80 }\n", NftablesScript.Changes(change));
    }

    [Fact]
    public void Ports_of_one_transaction_are_one_command_per_map()
    {
        var before = All["icc-on"];
        var added = FirewallChange.Apply(before, [new FirewallOperation.AddPorts(
            [Port("ep-a", "8080", "172.18.0.2", 80), Port("ep-a", "8081", "172.18.0.2", 81), Port("ep-a", "10.0.0.1:8443", "172.18.0.2", 443)])]);
        Assert.Equal(
            "add element inet plexus published4-any { tcp . 8080 comment \"ep=ep-a\" : 172.18.0.2 . 80, tcp . 8081 comment \"ep=ep-a\" : 172.18.0.2 . 81 }\n" +
            "add element inet plexus published4 { 10.0.0.1 . tcp . 8443 comment \"ep=ep-a\" : 172.18.0.2 . 443 }\n",
            NftablesScript.Changes(added));
        var removed = FirewallChange.Apply(added.After, [new FirewallOperation.RemoveEndpointPorts("ep-a")]);
        Assert.Equal(
            "delete element inet plexus published4-any { tcp . 8080, tcp . 8081 }\n" +
            "delete element inet plexus published4 { 10.0.0.1 . tcp . 8443 }\n",
            NftablesScript.Changes(removed));
    }

    [Fact]
    public void Adding_a_network_to_a_live_ruleset_matches_golden()
    {
        var change = FirewallChange.Apply(All["icc-on"], [new FirewallOperation.AddNetwork(Network(Net2, "plx-n2", icc: false, subnets: [V4b]))]);
        FirewallGolden.Verify("nftables/changes-add-network.nft", NftablesScript.Changes(change));
    }

    [Fact]
    public void Removing_a_network_removes_its_chains_elements_ports_and_links()
    {
        var change = FirewallChange.Apply(All["two-networks"], [new FirewallOperation.RemoveNetwork(Net2)]);
        FirewallGolden.Verify("nftables/changes-remove-network.nft", NftablesScript.Changes(change));
    }

    [Fact]
    public void Turning_icc_off_refills_the_networks_chains_only()
    {
        var change = FirewallChange.Apply(All["ports"], [new FirewallOperation.AddNetwork(Network(icc: false, subnets: [V4, V6]))]);
        FirewallGolden.Verify("nftables/changes-icc-off.nft", NftablesScript.Changes(change));
    }

    [Fact]
    public void A_network_turning_internal_unpublishes_its_ports()
    {
        var change = FirewallChange.Apply(All["ports"], [new FirewallOperation.AddNetwork(Network(@internal: true, subnets: [V4, V6]))]);
        var script = NftablesScript.Changes(change);
        // One command per map, naming each key.
        Assert.Matches(@"(?m)^delete element inet plexus published4-any \{ ([^}]*, )?tcp \. 8080(, [^}]*)? \}$", script);
        Assert.Matches(@"(?m)^delete element inet plexus published6 \{ ([^}]*, )?2001:db8::1 \. tcp \. 8443(, [^}]*)? \}$", script);
        Assert.Single(script.Split('\n'), l => l.StartsWith("delete element inet plexus published4-any ", StringComparison.Ordinal));
        Assert.DoesNotContain("add element inet plexus published", script, StringComparison.Ordinal);
    }

    [Fact]
    public void Full_reapply_clears_everything_but_the_admin_chain()
    {
        var existing = new NftTableContents(true, ["user-forward", "filter-forward", "filter-to-plx-old"], ["bridges"], ["published4"], UserChainHasRules: true);
        FirewallGolden.Verify("nftables/replace-all.nft", NftablesScript.ReplaceAll(All["icc-on"], existing));
    }

    [Fact]
    public void Full_reapply_of_nothing_deletes_the_table_unless_the_admin_chain_has_rules()
    {
        var existing = new NftTableContents(true, ["user-forward", "filter-forward"], [], [], UserChainHasRules: false);
        Assert.Equal("delete table inet plexus\n", NftablesScript.ReplaceAll(FirewallState.Empty, existing));
        Assert.Equal("", NftablesScript.ReplaceAll(FirewallState.Empty, NftTableContents.None));
        var kept = NftablesScript.ReplaceAll(FirewallState.Empty, existing with { UserChainHasRules = true });
        Assert.Contains("delete chain inet plexus filter-forward", kept, StringComparison.Ordinal);
        Assert.DoesNotContain("delete chain inet plexus user-forward", kept, StringComparison.Ordinal);
        Assert.Contains("jump user-forward", kept, StringComparison.Ordinal);
    }

    [Fact]
    public void Coexistence_inserts_tagged_accepts_and_deletes_stale_ones()
    {
        var chains = new[]
        {
            new ForeignChain("inet", "filter", "forward", [(7, "plexus net=gone in plx-gone"), (8, $"plexus net={Net1} in plx-n1")]),
            new ForeignChain("ip", "filter", "FORWARD", []),
        };
        FirewallGolden.Verify("nftables/coexistence.nft", NftablesScript.Coexistence(chains, All["icc-on"]));
    }

    [Fact]
    public void A_join_is_a_handful_of_bridge_elements_in_one_batch_with_its_ports()
    {
        var change = FirewallChange.Apply(All["icc-on"],
        [
            new FirewallOperation.AddBridgePort(EndpointPort("ep-a", "172.18.0.2")),
            new FirewallOperation.AddPorts([Port("ep-a", "8080", "172.18.0.2", 80)]),
        ]);
        Assert.Equal(
            "add element inet plexus published4-any { tcp . 8080 comment \"ep=ep-a\" : 172.18.0.2 . 80 }\n",
            NftablesScript.Changes(change));
        Assert.Equal(
            "add element bridge plexus ports-guarded { \"vpx-a\" comment \"ep=ep-a\" }\n"
            + "add element bridge plexus guard-mac { \"vpx-a\" . 02:42:ac:12:00:02 comment \"ep=ep-a\" }\n"
            + "add element bridge plexus guard4 { \"vpx-a\" . 02:42:ac:12:00:02 . 172.18.0.2 comment \"ep=ep-a\" }\n",
            NftablesBridgeScript.Changes(change));
    }

    [Fact]
    public void A_leave_deletes_the_ports_elements_by_key_and_undo_puts_them_back()
    {
        var change = FirewallChange.Apply(All["ipv6"], [new FirewallOperation.RemoveBridgePorts("ep-a")]);
        FirewallGolden.Verify("nftables/changes-leave-bridge-port.nft", NftablesBridgeScript.Changes(change));
        var undo = NftablesBridgeScript.Changes(change, undo: true);
        Assert.StartsWith("add element bridge plexus ports-guarded { \"vpx-a\" comment \"ep=ep-a\" }", undo, StringComparison.Ordinal);
        Assert.DoesNotContain("delete", undo, StringComparison.Ordinal);
    }

    [Fact]
    public void Turning_anti_spoofing_off_takes_the_networks_ports_out_of_the_guard_only()
    {
        var network = All["icc-off-links"].Networks[Net1] with { AntiSpoofing = false };
        var change = FirewallChange.Apply(All["icc-off-links"], [new FirewallOperation.AddNetwork(network)]);
        var script = NftablesBridgeScript.Changes(change);
        Assert.Contains("delete element bridge plexus ports-guarded { \"vpx-app\", \"vpx-web\" }", script, StringComparison.Ordinal);
        Assert.Contains("delete element bridge plexus guard4", script, StringComparison.Ordinal);
        Assert.DoesNotContain("ports-icc-off", script, StringComparison.Ordinal); // icc is still off
        Assert.DoesNotContain("add element", script, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bridge_port_of_a_network_that_neither_guards_nor_has_icc_off_is_no_element()
    {
        var network = Network() with { AntiSpoofing = false };
        var state = FirewallState.Create([network], [], []);
        var change = FirewallChange.Apply(state, [new FirewallOperation.AddBridgePort(EndpointPort("ep-a", "172.18.0.2"))]);
        Assert.False(change.IsEmpty);
        Assert.Equal("", NftablesBridgeScript.Changes(change));
        Assert.Equal("", NftablesScript.Changes(change));
    }
}
