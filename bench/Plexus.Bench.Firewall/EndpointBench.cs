using System.Diagnostics;
using System.Net;
using Plexus.Engine.Drivers.Bridge.Firewall;
using Plexus.Kernel.Firewall;
using Plexus.Kernel.Types;

namespace Plexus.Bench.Firewall;

/// <summary>
/// A join's firewall transaction, as the bridge driver makes it (the network's rules, a no-op when in place, and the
/// endpoint's bridge port: anti-spoofing elements), with none and with 1000 endpoints already guarded. Before issue 11
/// a join without published ports made no firewall transaction at all; this is what anti-spoofing adds to an attach.
/// </summary>
internal static class EndpointBench
{
    public static (double First, double Thousand, double Next, double Remove) Run(IFirewall<FirewallState, FirewallChange> firewall, BridgeRules network, int singles)
    {
        // Warm-up, untimed.
        for (int i = 0; i < 20; i++) Join(firewall, network, 60000 + i);
        for (int i = 0; i < 20; i++) Leave(firewall, 60000 + i);

        var first = Median(Enumerable.Range(0, singles).Select(i => Time(() => Join(firewall, network, 1 + i))));
        var remove = Median(Enumerable.Range(0, singles).Select(i => Time(() => Leave(firewall, 1 + i))));
        var thousand = Time(() =>
        {
            var tx = firewall.Begin();
            for (int i = 0; i < 1000; i++) tx.AddBridgePort(Port(network, 1000 + i));
            tx.Commit();
        });
        var next = Median(Enumerable.Range(0, singles).Select(i => Time(() => Join(firewall, network, 3000 + i))));
        for (int i = 0; i < singles; i++) Leave(firewall, 3000 + i);
        return (first, thousand, next, remove);
    }

    public static BridgePort Port(BridgeRules network, int n)
    {
        var ip = new IPAddress([172, 30, (byte)(n >> 8), (byte)(n & 0xff)]);
        return new BridgePort($"ep{n}", network.Tag, $"vpxbench{n}", MacAddress.FromIPv4(ip), ip, null);
    }

    private static void Join(IFirewall<FirewallState, FirewallChange> firewall, BridgeRules network, int n) =>
        firewall.Begin().AddNetwork(network).AddBridgePort(Port(network, n)).Commit();

    private static void Leave(IFirewall<FirewallState, FirewallChange> firewall, int n) => firewall.Begin().RemoveBridgePorts($"ep{n}").Commit();

    private static double Time(Action action)
    {
        var sw = Stopwatch.StartNew();
        action();
        return sw.Elapsed.TotalMilliseconds;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }
}
