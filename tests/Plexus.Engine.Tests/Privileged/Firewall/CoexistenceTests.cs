using System.Net;
using Plexus.Engine.Drivers.Bridge.Firewall;
using Plexus.Kernel.Firewall;
using Plexus.Testing;

namespace Plexus.Engine.Tests.Privileged.Firewall;

/// <summary>Plexus traffic flows when another tool's forward policy drops everything, and Plexus cleans up after itself there.</summary>
[Trait("Category", "Privileged")]
public sealed class CoexistenceTests
{
    [PrivilegedFact]
    public void Nftables_inserts_tagged_accepts_into_a_foreign_drop_policy_chain_and_removes_them_with_the_network()
    {
        using var w = new FirewallWorld(Firewalls.Nftables);
        // A host firewall that forwards nothing (nft's own table, and iptables-nft's FORWARD DROP).
        w.HostExec("nft", "add table inet filter");
        w.HostExec("nft", "add chain inet filter forward { type filter hook forward priority 0; policy drop; }");
        w.HostExec("iptables", "-P", "FORWARD", "DROP");
        var net = w.AddBridge("plx-a", "neta", "172.18.0.0/16");
        w.AddSandbox("c1", net, "172.18.0.2");
        w.StartHttp("c1", 80, "c1");
        w.StartHttp("outside", 80, "outside");
        Assert.Null(w.Curl("c1", $"http://{FirewallWorld.Outside}/", maxTime: 1));

        w.Firewall.Begin().AddNetwork(net)
            .AddPorts(new PortMapping("ep1", "neta", TransportProtocol.Tcp, null, 8080, IPAddress.Parse("172.18.0.2"), 80))
            .Commit();
        Assert.Equal("outside", w.Curl("c1", $"http://{FirewallWorld.Outside}/"));
        Assert.Equal("c1", w.Curl("outside", $"http://{FirewallWorld.HostOutside}:8080/"));
        var foreign = w.HostExec("nft", "list", "chain", "inet", "filter", "forward");
        Assert.Contains("plexus net=neta in plx-a", foreign, StringComparison.Ordinal);
        Assert.Contains("plexus net=neta out plx-a", foreign, StringComparison.Ordinal);
        // Plexus still decides: what its own chain drops stays dropped.
        Assert.Null(w.Curl("outside", "http://172.18.0.2/", maxTime: 1));

        // A full re-apply does not duplicate them; removing the network removes them.
        w.Firewall.ReplaceAll(w.Firewall.State);
        Assert.Single(w.HostExec("nft", "list", "chain", "inet", "filter", "forward").Split('\n'), l => l.Contains("net=neta in", StringComparison.Ordinal));
        w.Firewall.Begin().RemoveNetwork("neta").Commit();
        Assert.DoesNotContain("plexus", w.HostExec("nft", "list", "ruleset"), StringComparison.Ordinal);
        Assert.Contains("policy drop", w.HostExec("nft", "list", "chain", "inet", "filter", "forward"), StringComparison.Ordinal);
    }

    [PrivilegedFact]
    public void Iptables_plexus_chains_accept_before_a_forward_drop_policy()
    {
        using var w = new FirewallWorld(Firewalls.Iptables);
        w.HostExec("iptables", "-P", "FORWARD", "DROP");
        w.HostExec("ip6tables", "-P", "FORWARD", "DROP");
        var net = w.AddBridge("plx-a", "neta", "172.18.0.0/16");
        w.AddSandbox("c1", net, "172.18.0.2");
        w.AddSandbox("c2", net, "172.18.0.3");
        w.StartHttp("c1", 80, "c1");
        w.StartHttp("outside", 80, "outside");
        Assert.Null(w.Curl("c2", "http://172.18.0.2/", maxTime: 1));

        w.Firewall.Begin().AddNetwork(net)
            .AddPorts(new PortMapping("ep1", "neta", TransportProtocol.Tcp, null, 8080, IPAddress.Parse("172.18.0.2"), 80))
            .Commit();
        Assert.Equal("c1", w.Curl("c2", "http://172.18.0.2/"));
        Assert.Equal("outside", w.Curl("c1", $"http://{FirewallWorld.Outside}/"));
        Assert.Equal("c1", w.Curl("outside", $"http://{FirewallWorld.HostOutside}:8080/"));

        w.Firewall.Clear();
        Assert.DoesNotContain("PLEXUS", w.HostExec("iptables-save"), StringComparison.Ordinal);
        Assert.Contains(":FORWARD DROP", w.HostExec("iptables-save"), StringComparison.Ordinal);
    }
}
