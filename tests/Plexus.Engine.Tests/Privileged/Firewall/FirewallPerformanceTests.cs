using System.Diagnostics;
using System.Globalization;
using System.Net;
using Plexus.Engine.Drivers.Bridge.Firewall;
using Plexus.Kernel.Firewall;
using Plexus.Kernel.Rtnl.LinkKinds;
using Plexus.Testing;
using Xunit.Abstractions;

namespace Plexus.Engine.Tests.Privileged.Firewall;

/// <summary>
/// What a commit costs (DESIGN.md "Numbers to beat": 1000 published ports in under 50 ms with no extra process).
/// The numbers are written to the test output; the bounds are loose so a busy machine does not fail them.
/// </summary>
[Trait("Category", "Privileged")]
public sealed class FirewallPerformanceTests(ITestOutputHelper output)
{
    private static readonly IPNetwork Subnet = IPNetwork.Parse("172.18.0.0/16");

    /// <summary>An endpoint id as long as plexusd's (64 hex digits): each element's comment names it.</summary>
    private static readonly string Bulk = "ep-bulk-" + new string('0', 56);

    private static IEnumerable<PortMapping> Ports(string endpoint, int first, int count) =>
        Enumerable.Range(first, count).Select(i =>
            new PortMapping(endpoint, "neta", TransportProtocol.Tcp, null, i, new IPAddress([172, 18, (byte)(i / 250 % 250), (byte)(2 + i % 250)]), 80));

    [PrivilegedTheory]
    [InlineData(Firewalls.Nftables)]
    [InlineData(Firewalls.Iptables)]
    public void Publishing_ports_costs_the_same_with_a_thousand_in_place(string backend)
    {
        using var net = new TestNetwork();
        net.Host.CreateLink(new BridgeSpec("plx-a") { Up = true });
        using var firewall = BridgeFirewallPolicy.Create(backend, net.HostNs);
        var network = new BridgeRules("neta", "plx-a", [Subnet]);

        var first = Time(() => firewall.Begin().AddNetwork(network).Commit());
        // Every commit below is incremental: one the kernel refused would be repaired by a whole re-apply (and
        // logged as one), which a list of 1000 elements in one netlink attribute once caused (its length wrapped).
        var repairs = new List<FirewallRepair>();
        firewall.Repaired += (_, r) => repairs.Add(r);
        int singles = backend == Firewalls.Nftables ? 200 : 20;
        foreach (var p in Ports("ep-warm", 40000, 100)) firewall.Begin().AddPorts(p).Commit(); // JIT tiers, caches
        var oneEmpty = Time(() =>
        {
            foreach (var p in Ports("ep-single", 10000, singles)) firewall.Begin().AddPorts(p).Commit();
        }) / singles;
        var thousand = Time(() => firewall.Begin().AddPorts(Ports(Bulk, 20000, 1000)).Commit());
        var oneFull = Time(() =>
        {
            foreach (var p in Ports("ep-single2", 30000, singles)) firewall.Begin().AddPorts(p).Commit();
        }) / singles;
        var removeThousand = Time(() => firewall.Begin().RemovePorts(Bulk).Commit());
        firewall.Begin().AddPorts(Ports(Bulk, 20000, 1000)).Commit();
        var state = firewall.State;
        var replace = Time(() => firewall.ReplaceAll(state));

        Report(backend, "first network (full apply, cold)", first);
        Report(backend, $"1 port per commit, {singles} commits, ~0 ports in place", oneEmpty);
        Report(backend, "1000 ports in one commit", thousand);
        Report(backend, $"1 port per commit with {1000 + singles} ports in place", oneFull);
        Report(backend, "remove an endpoint's 1000 ports in one commit", removeThousand);
        Report(backend, $"full re-apply of {state.Ports.Count} ports", replace);

        // Speed is reported (the numbers above), not asserted: timed assertions flake on a loaded machine
        // and speed goals live in bench/. What is asserted is that every port went in.
        Assert.Equal(1100 + 2 * singles, state.Ports.Count);
        Assert.Empty(repairs);
    }

    private static double Time(Action action)
    {
        var sw = Stopwatch.StartNew();
        action();
        return sw.Elapsed.TotalMilliseconds;
    }

    private void Report(string backend, string what, double ms) =>
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{backend,-9} {what,-55} {ms,9:0.000} ms"));
}
