using Plexus.Engine.Drivers.Bridge.Firewall;
using Plexus.Kernel.Firewall;
using Plexus.Testing;

namespace Plexus.Engine.Tests.Privileged.Firewall;

/// <summary>icc, links, isolation between bridges and internal networks, with real packets, for each backend.</summary>
[Trait("Category", "Privileged")]
public sealed class BridgeIsolationTests
{
    public static TheoryData<string> Backends => [Firewalls.Nftables, Firewalls.Iptables];

    [PrivilegedTheory]
    [MemberData(nameof(Backends))]
    public void Icc_on_lets_containers_on_a_bridge_talk(string backend)
    {
        using var w = new FirewallWorld(backend);
        var net = w.AddBridge("plx-a", "neta", "172.18.0.0/16");
        w.AddSandbox("c1", net, "172.18.0.2");
        w.AddSandbox("c2", net, "172.18.0.3");
        w.Firewall.Begin().AddNetwork(net).Commit();
        w.StartHttp("c1", 80, "c1");

        Assert.Equal("c1", w.Curl("c2", "http://172.18.0.2/"));
    }

    [PrivilegedTheory]
    [MemberData(nameof(Backends))]
    public void Icc_off_blocks_containers_on_a_bridge_except_a_links_exposed_port(string backend)
    {
        using var w = new FirewallWorld(backend);
        var net = w.AddBridge("plx-a", "neta", "172.18.0.0/16", icc: false);
        w.AddSandbox("web", net, "172.18.0.2");
        w.AddSandbox("app", net, "172.18.0.3");
        w.Firewall.Begin().AddNetwork(net).Commit();
        w.StartHttp("web", 80, "web");
        w.StartHttp("web", 81, "web-unexposed");
        w.StartHttp("app", 80, "app");

        Assert.Null(w.Curl("app", "http://172.18.0.2/", maxTime: 1));

        // app --link web: app may reach web's exposed port 80, and web's port 80 may answer; nothing else.
        var link = new LinkRule("ep-app", "neta", System.Net.IPAddress.Parse("172.18.0.3"), System.Net.IPAddress.Parse("172.18.0.2"), TransportProtocol.Tcp, 80);
        w.Firewall.Begin().AddLinks(link).Commit();
        Assert.Equal("web", w.Curl("app", "http://172.18.0.2/"));
        Assert.Null(w.Curl("app", "http://172.18.0.2:81/", maxTime: 1));
        Assert.Null(w.Curl("web", "http://172.18.0.3/", maxTime: 1));

        w.Firewall.Begin().RemoveLinks("ep-app").Commit();
        Assert.Null(w.Curl("app", "http://172.18.0.2/", maxTime: 1));
    }

    [PrivilegedTheory]
    [MemberData(nameof(Backends))]
    public void Two_bridges_are_isolated_from_each_other(string backend)
    {
        using var w = new FirewallWorld(backend);
        var a = w.AddBridge("plx-a", "neta", "172.18.0.0/16");
        var b = w.AddBridge("plx-b", "netb", "172.19.0.0/16");
        w.AddSandbox("a1", a, "172.18.0.2");
        w.AddSandbox("b1", b, "172.19.0.2");
        w.StartHttp("a1", 80, "a1");
        w.StartHttp("b1", 80, "b1");

        // Without the firewall the host routes between its bridges: the test can fail.
        Assert.Equal("b1", w.Curl("a1", "http://172.19.0.2/"));

        w.Firewall.Begin().AddNetwork(a).AddNetwork(b).Commit();
        Assert.Null(w.Curl("a1", "http://172.19.0.2/", maxTime: 1));
        Assert.Null(w.Curl("b1", "http://172.18.0.2/", maxTime: 1));
        // Each still reaches the outside world.
        w.StartHttp("outside", 80, "outside");
        Assert.Equal("outside", w.Curl("a1", $"http://{FirewallWorld.Outside}/"));
        Assert.Equal("outside", w.Curl("b1", $"http://{FirewallWorld.Outside}/"));
    }

    [PrivilegedTheory]
    [MemberData(nameof(Backends))]
    public void An_internal_network_reaches_nothing_outside_and_nothing_reaches_it(string backend)
    {
        using var w = new FirewallWorld(backend);
        var net = w.AddBridge("plx-i", "neti", "172.20.0.0/16", @internal: true);
        w.AddSandbox("i1", net, "172.20.0.2");
        w.AddSandbox("i2", net, "172.20.0.3");
        w.StartHttp("i1", 80, "i1");
        w.StartHttp("outside", 80, "outside");
        w.Firewall.Begin().AddNetwork(net)
            .AddPorts(new PortMapping("ep-i1", "neti", TransportProtocol.Tcp, null, 8080, System.Net.IPAddress.Parse("172.20.0.2"), 80))
            .Commit();

        Assert.Null(w.Curl("i1", $"http://{FirewallWorld.Outside}/", maxTime: 1));
        Assert.Equal("i1", w.Curl("i2", "http://172.20.0.2/"));
        Assert.Null(w.Curl("outside", $"http://{FirewallWorld.HostOutside}:8080/", maxTime: 1));
    }

    [PrivilegedTheory]
    [MemberData(nameof(Backends))]
    public void An_internal_sandbox_with_its_own_default_route_sends_nothing_out_not_even_to_published_ports(string backend)
    {
        using var w = new FirewallWorld(backend);
        var internalNet = w.AddBridge("plx-i", "neti", "172.20.0.0/16", @internal: true);
        var other = w.AddBridge("plx-a", "neta", "172.18.0.0/16");
        // AddSandbox gives every sandbox a default route via its gateway: what a sandbox on an internal network
        // can always do for itself (ip route add default via 172.20.0.1).
        var (i1, _) = w.AddSandbox("i1", internalNet, "172.20.0.2");
        var (a1, _) = w.AddSandbox("a1", other, "172.18.0.2");
        var (b1, _) = w.AddSandbox("b1", other, "172.18.0.3");
        using var outside = w.Net.Directory.Open("outside");
        var published = w.StartUdpEcho(a1, System.Net.IPAddress.Any, 53);
        var direct = w.StartUdpEcho(a1, System.Net.IPAddress.Any, 54);
        var world = w.StartUdpEcho(outside, System.Net.IPAddress.Any, 53);
        w.Firewall.Begin().AddNetwork(internalNet).AddNetwork(other)
            .AddPorts(new PortMapping("ep-a1", "neta", TransportProtocol.Udp, null, 5353, System.Net.IPAddress.Parse("172.18.0.2"), 53))
            .Commit();
        var hostAddress = System.Net.IPAddress.Parse(FirewallWorld.HostOutside);

        // The control: the published port works for everyone else, so the packets below could get through.
        Assert.Equal($"echo:ping from {FirewallWorld.Outside}", FirewallWorld.UdpAsk(outside, hostAddress, 5353, "ping"));
        Assert.NotNull(FirewallWorld.UdpAsk(b1, hostAddress, 5353, "ping"));
        int before = published.Value;

        for (int i = 0; i < 3; i++)
        {
            FirewallWorld.UdpAsk(i1, hostAddress, 5353, "leak", timeoutMs: 300);
            FirewallWorld.UdpAsk(i1, System.Net.IPAddress.Parse("172.18.0.2"), 54, "leak", timeoutMs: 300);
            FirewallWorld.UdpAsk(i1, System.Net.IPAddress.Parse(FirewallWorld.Outside), 53, "leak", timeoutMs: 300);
        }
        Thread.Sleep(200);
        Assert.Equal(before, published.Value);
        Assert.Equal(0, direct.Value);
        Assert.Equal(0, world.Value);
    }
}
