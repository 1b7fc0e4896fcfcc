using Plexus.Engine.Drivers.Bridge.Firewall;
using Plexus.Engine.Tests.Drivers.Bridge.Firewall;
using Plexus.Kernel.Firewall;
using Plexus.Kernel.Rtnl.LinkKinds;
using Plexus.Testing;

namespace Plexus.Engine.Tests.Privileged.Firewall;

/// <summary>Every golden configuration is accepted by the kernel through each backend, and removed without trace.</summary>
[Trait("Category", "Privileged")]
public sealed class GoldenRulesetKernelTests
{
    public static TheoryData<string, string> Cases
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var scenario in FirewallScenarios.All.Keys)
            {
                data.Add(Firewalls.Nftables, scenario);
                data.Add(Firewalls.Iptables, scenario);
            }
            return data;
        }
    }

    [PrivilegedTheory]
    [MemberData(nameof(Cases))]
    public void The_kernel_accepts_the_ruleset(string backend, string scenario)
    {
        using var net = new TestNetwork();
        var state = FirewallScenarios.All[scenario];
        foreach (var n in state.Networks.Values) net.Host.CreateLink(new BridgeSpec(n.BridgeName) { Up = true });
        using var firewall = BridgeFirewallPolicy.Create(backend, net.HostNs);

        firewall.ReplaceAll(state);
        var listing = backend == Firewalls.Nftables
            ? net.Exec("host", "nft", "list", "ruleset").Output
            : net.Exec("host", "iptables-save").Output + net.Exec("host", "ip6tables-save").Output;
        foreach (var n in state.Networks.Values) Assert.Contains(n.BridgeName, listing, StringComparison.Ordinal);

        firewall.Clear();
        var after = backend == Firewalls.Nftables
            ? net.Exec("host", "nft", "list", "ruleset").Output
            : net.Exec("host", "iptables-save").Output + net.Exec("host", "ip6tables-save").Output;
        Assert.DoesNotContain("plexus", after, StringComparison.OrdinalIgnoreCase);
    }

    public static TheoryData<string> Scenarios
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var scenario in FirewallScenarios.All.Keys) data.Add(scenario);
            return data;
        }
    }

    /// <summary>
    /// A join's elements (published ports, links, bridge ports) go to the kernel over raw netlink, not through
    /// libnftables: what the kernel then holds is what libnftables writes for the same state, element for element.
    /// </summary>
    [PrivilegedTheory]
    [MemberData(nameof(Scenarios))]
    public void Elements_written_over_raw_netlink_equal_what_nft_writes(string scenario)
    {
        using var net = new TestNetwork();
        var state = FirewallScenarios.All[scenario];
        foreach (var n in state.Networks.Values) net.Host.CreateLink(new BridgeSpec(n.BridgeName) { Up = true });
        using var firewall = BridgeFirewallPolicy.Create(Firewalls.Nftables, net.HostNs);
        firewall.ReplaceAll(FirewallState.Create(state.Networks.Values, [], []));
        var networksOnly = Elements(net.Exec("host", "nft", "list", "ruleset").Output);

        firewall.Begin().AddPorts(state.Ports).AddLinks(state.Links).Commit();
        var tx = firewall.Begin();
        foreach (var p in state.BridgePorts.Values) tx.AddBridgePort(p);
        tx.Commit();
        Assert.Equal(state.ToString(), firewall.State.ToString());
        var raw = Elements(net.Exec("host", "nft", "list", "ruleset").Output);

        firewall.ReplaceAll(firewall.State);
        var written = Elements(net.Exec("host", "nft", "list", "ruleset").Output);
        Assert.Equal(written, raw);

        // And deleting them over raw netlink leaves the sets as nft leaves them.
        firewall.Begin().RemovePorts(state.Ports).Commit();
        foreach (var tag in state.Links.Select(l => l.Tag).Concat(state.BridgePorts.Values.Select(b => b.Tag)).Distinct())
            firewall.Begin().RemoveLinks(tag).RemoveBridgePorts(tag).Commit();
        Assert.Equal(networksOnly, Elements(net.Exec("host", "nft", "list", "ruleset").Output));
        firewall.Clear();
    }

    /// <summary>Every set's and map's elements, sorted (a hash set lists them in no particular order).</summary>
    private static SortedDictionary<string, List<string>> Elements(string listing)
    {
        var result = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        string table = "", current = "";
        foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(
            listing, @"table (\S+ \S+) \{|(?:set|map) (\S+) \{|elements = \{([^}]*)\}"))
        {
            if (m.Groups[1].Success) table = m.Groups[1].Value;
            else if (m.Groups[2].Success) result[current = $"{table} {m.Groups[2].Value}"] = [];
            else
                result[current].AddRange(m.Groups[3].Value.Split(',')
                    .Select(e => string.Join(' ', e.Split((char[])[' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries)))
                    .Order(StringComparer.Ordinal));
        }
        return result;
    }
}
