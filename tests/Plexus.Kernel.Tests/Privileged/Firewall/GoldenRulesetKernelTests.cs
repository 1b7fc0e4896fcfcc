using Plexus.Kernel.Firewall;
using Plexus.Kernel.Rtnl.LinkKinds;
using Plexus.Kernel.Tests.Unit.Firewall;
using Plexus.Testing;

namespace Plexus.Kernel.Tests.Privileged.Firewall;

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
        using var firewall = Firewalls.Create(backend, net.HostNs);

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
}
