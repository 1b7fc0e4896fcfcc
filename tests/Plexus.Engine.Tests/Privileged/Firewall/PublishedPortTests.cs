using System.Net;
using Plexus.Engine.Drivers.Bridge.Firewall;
using Plexus.Kernel.Firewall;
using Plexus.Testing;

namespace Plexus.Engine.Tests.Privileged.Firewall;

/// <summary>Outbound masquerade and published ports (from outside, from the host, via 127.0.0.1, hairpin, UDP, IPv6).</summary>
[Trait("Category", "Privileged")]
public sealed class PublishedPortTests
{
    public static TheoryData<string> Backends => [Firewalls.Nftables, Firewalls.Iptables];

    private static PortMapping Tcp(string endpoint, int hostPort, string container, int port, string? hostIP = null, string network = "neta") =>
        new(endpoint, network, TransportProtocol.Tcp, hostIP is null ? null : IPAddress.Parse(hostIP), hostPort, IPAddress.Parse(container), port);

    [PrivilegedTheory]
    [MemberData(nameof(Backends))]
    public void Outbound_traffic_is_masqueraded_to_the_hosts_address(string backend)
    {
        using var w = new FirewallWorld(backend);
        var net = w.AddBridge("plx-a", "neta", "172.18.0.0/16");
        w.AddSandbox("c1", net, "172.18.0.2");
        w.StartHttp("outside", 80, "outside");

        // The outside has no route back to 172.18.0.0/16: without masquerade the reply goes nowhere.
        Assert.Null(w.Curl("c1", $"http://{FirewallWorld.Outside}/", maxTime: 1));

        w.Firewall.Begin().AddNetwork(net).Commit();
        Assert.Equal("outside", w.Curl("c1", $"http://{FirewallWorld.Outside}/"));
        Assert.Contains($"{FirewallWorld.HostOutside}]", w.HttpLog("outside", 80), StringComparison.Ordinal);
        Assert.DoesNotContain("172.18.0.2", w.HttpLog("outside", 80), StringComparison.Ordinal);

        // enable_ip_masquerade=false: forwarded, but not translated, so the answer is lost again.
        w.Firewall.Begin().AddNetwork(net with { Masquerade = false }).Commit();
        Assert.Null(w.Curl("c1", $"http://{FirewallWorld.Outside}/", maxTime: 1));
    }

    [PrivilegedTheory]
    [MemberData(nameof(Backends))]
    public void A_published_tcp_port_is_reached_from_outside_from_the_host_and_through_127_0_0_1(string backend)
    {
        using var w = new FirewallWorld(backend);
        var net = w.AddBridge("plx-a", "neta", "172.18.0.0/16");
        w.AddSandbox("c1", net, "172.18.0.2");
        w.StartHttp("c1", 80, "c1");
        w.StartHttp("c1", 81, "c1-unpublished");
        w.Firewall.Begin().AddNetwork(net).AddPorts(Tcp("ep1", 8080, "172.18.0.2", 80)).Commit();

        Assert.Equal("c1", w.Curl("outside", $"http://{FirewallWorld.HostOutside}:8080/"));
        Assert.Equal("c1", w.Curl("host", $"http://{FirewallWorld.HostOutside}:8080/"));
        Assert.Equal("c1", w.Curl("host", "http://172.18.0.1:8080/"));
        Assert.Equal("c1", w.Curl("host", "http://127.0.0.1:8080/"));
        // Only what is published: the container's other port is not reachable from outside, even by its address.
        Assert.Null(w.Curl("outside", $"http://{FirewallWorld.HostOutside}:8081/", maxTime: 1));

        w.Firewall.Begin().RemovePorts("ep1").Commit();
        Assert.Null(w.Curl("outside", $"http://{FirewallWorld.HostOutside}:8080/", maxTime: 1));
        Assert.Null(w.Curl("host", "http://127.0.0.1:8080/", maxTime: 1));
    }

    [PrivilegedTheory]
    [MemberData(nameof(Backends))]
    public void A_port_published_on_one_host_address_answers_only_there(string backend)
    {
        using var w = new FirewallWorld(backend);
        var net = w.AddBridge("plx-a", "neta", "172.18.0.0/16");
        w.AddSandbox("c1", net, "172.18.0.2");
        w.StartHttp("c1", 80, "c1");
        w.Firewall.Begin().AddNetwork(net).AddPorts(Tcp("ep1", 8080, "172.18.0.2", 80, hostIP: "127.0.0.1")).Commit();

        Assert.Equal("c1", w.Curl("host", "http://127.0.0.1:8080/"));
        Assert.Null(w.Curl("outside", $"http://{FirewallWorld.HostOutside}:8080/", maxTime: 1));
        Assert.Null(w.Curl("host", $"http://{FirewallWorld.HostOutside}:8080/", maxTime: 1));
    }

    [PrivilegedTheory]
    [MemberData(nameof(Backends))]
    public void A_container_reaches_its_own_published_port_through_the_hosts_address(string backend)
    {
        using var w = new FirewallWorld(backend);
        var net = w.AddBridge("plx-a", "neta", "172.18.0.0/16", icc: false);
        w.AddSandbox("c1", net, "172.18.0.2");
        w.StartHttp("c1", 80, "c1");
        w.Firewall.Begin().AddNetwork(net).AddPorts(Tcp("ep1", 8080, "172.18.0.2", 80)).Commit();

        Assert.Equal("c1", w.Curl("c1", $"http://{FirewallWorld.HostOutside}:8080/"));
        Assert.Equal("c1", w.Curl("c1", "http://172.18.0.1:8080/"));
        // A container cannot use the bridge's route_localnet to reach the host's loopback.
        w.StartHttp("host", 9999, "host-loopback");
        Assert.Null(w.Curl("c1", "http://127.0.0.1:9999/", maxTime: 1));
    }

    [PrivilegedTheory]
    [MemberData(nameof(Backends))]
    public void A_published_udp_port_answers_from_outside(string backend)
    {
        using var w = new FirewallWorld(backend);
        var net = w.AddBridge("plx-a", "neta", "172.18.0.0/16");
        var (c1, _) = w.AddSandbox("c1", net, "172.18.0.2");
        var (outside, _) = (w.Net.Directory.Open("outside"), 0);
        using (outside)
        {
            w.StartUdpEcho(c1, IPAddress.Any, 53);
            w.Firewall.Begin().AddNetwork(net)
                .AddPorts(new PortMapping("ep1", "neta", TransportProtocol.Udp, null, 5353, IPAddress.Parse("172.18.0.2"), 53))
                .Commit();

            Assert.Equal($"echo:ping from {FirewallWorld.Outside}", FirewallWorld.UdpAsk(outside, IPAddress.Parse(FirewallWorld.HostOutside), 5353, "ping"));
            // TCP on the same number is not published.
            Assert.Null(w.Curl("outside", $"http://{FirewallWorld.HostOutside}:5353/", maxTime: 1));
        }
    }

    [PrivilegedTheory]
    [MemberData(nameof(Backends))]
    public void Ipv6_ports_are_published_and_ipv6_outbound_is_masqueraded(string backend)
    {
        using var w = new FirewallWorld(backend);
        var net = w.AddBridge("plx-a", "neta", "172.18.0.0/16", "fd00:18::/64");
        w.AddSandbox("c1", net, "172.18.0.2", "fd00:18::2");
        w.StartHttp("c1", 80, "c1");
        w.StartHttp("outside", 80, "outside");
        w.Firewall.Begin().AddNetwork(net)
            .AddPorts(new PortMapping("ep1", "neta", TransportProtocol.Tcp, null, 8080, IPAddress.Parse("fd00:18::2"), 80),
                      new PortMapping("ep1", "neta", TransportProtocol.Tcp, IPAddress.Parse(FirewallWorld.HostOutside6), 8443, IPAddress.Parse("fd00:18::2"), 80))
            .Commit();

        Assert.Equal("c1", w.Curl("outside", $"http://[{FirewallWorld.HostOutside6}]:8080/"));
        Assert.Equal("c1", w.Curl("outside", $"http://[{FirewallWorld.HostOutside6}]:8443/"));
        Assert.Equal("c1", w.Curl("host", $"http://[{FirewallWorld.HostOutside6}]:8080/"));
        Assert.Equal("outside", w.Curl("c1", $"http://[{FirewallWorld.Outside6}]/"));
        Assert.Contains($"[{FirewallWorld.HostOutside6}]", w.HttpLog("outside", 80), StringComparison.Ordinal);
    }

    [PrivilegedTheory]
    [MemberData(nameof(Backends))]
    public void A_container_on_another_bridge_reaches_a_published_port_but_not_the_container(string backend)
    {
        using var w = new FirewallWorld(backend);
        var a = w.AddBridge("plx-a", "neta", "172.18.0.0/16");
        var b = w.AddBridge("plx-b", "netb", "172.19.0.0/16");
        w.AddSandbox("a1", a, "172.18.0.2");
        w.AddSandbox("b1", b, "172.19.0.2");
        w.StartHttp("a1", 80, "a1");
        w.Firewall.Begin().AddNetwork(a).AddNetwork(b).AddPorts(Tcp("ep1", 8080, "172.18.0.2", 80)).Commit();

        Assert.Equal("a1", w.Curl("b1", $"http://{FirewallWorld.HostOutside}:8080/"));
        Assert.Null(w.Curl("b1", "http://172.18.0.2/", maxTime: 1));
    }
}
