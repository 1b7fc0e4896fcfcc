using System.Net;
using Plexus.Engine.Controller;
using Plexus.Engine.Drivers.Bridge;
using Plexus.Engine.Ipam;
using Plexus.Engine.Model;
using Plexus.Engine.Tests.Support;
using Plexus.Kernel.Rtnl;
using Plexus.Testing;

namespace Plexus.Engine.Tests.Privileged;

[Trait("Category", "Privileged")]
public sealed class BridgeNetworkTests
{
    private static NetworkCreateRequest Bridge(string name, string subnet, string? gateway = null, bool ipv6 = false, string? subnet6 = null) => new()
    {
        Name = name,
        EnableIPv6 = ipv6,
        IpamConfigs =
        [
            new IpamRequest { Subnet = IPNetwork.Parse(subnet), Gateway = gateway is null ? null : IPAddress.Parse(gateway) },
            .. subnet6 is null ? Array.Empty<IpamRequest>() : [new IpamRequest { Subnet = IPNetwork.Parse(subnet6) }],
        ],
    };

    [PrivilegedFact]
    public void Two_sandboxes_on_one_bridge_reach_each_other_by_ip_and_see_their_hosts_files()
    {
        using var w = new EngineWorld();
        var c = w.Controller;
        var net = c.CreateNetwork(Bridge("web", "172.18.0.0/16"));
        var bridge = net.DriverState["bridge"];
        Assert.Equal("plx-" + net.Id[..11], bridge);
        c.CreateSandbox(new SandboxCreateRequest { Name = "c1", Hostname = "one" });
        c.CreateSandbox(new SandboxCreateRequest { Name = "c2" });
        var e1 = c.Connect("web", "c1");
        var e2 = c.Connect("web", "c2");

        Assert.Equal("172.18.0.2/16", e1.IPv4.ToString());
        Assert.Equal("172.18.0.3/16", e2.IPv4.ToString());
        Assert.Equal("eth0", e1.InterfaceName);
        Assert.True(w.Ping("c1", "172.18.0.3"));
        Assert.True(w.Ping("c2", "172.18.0.2"));
        Assert.True(w.Ping("c1", "172.18.0.1"));
        Assert.False(w.Ping("c1", "172.18.0.77"));

        // The kernel state, read independently: bridge with gateway, eth0 with the MAC derived from the address.
        var br = Assert.Single(IpJson.Query(w.Net, "host", "-4", "addr", "show", bridge));
        Assert.Equal("172.18.0.1", Assert.Single(br.GetProperty("addr_info").EnumerateArray()).Str("local"));
        var ports = IpJson.Query(w.Net, "host", "link", "show", "master", bridge).Select(p => p.Str("ifname")).ToArray();
        Assert.Equal(2, ports.Length);
        Assert.Contains("vpx" + e1.Id[..12], ports);
        var inside = c.GetSandbox("c1").Netlink;
        var link = inside.GetLink("eth0");
        Assert.Equal("02:42:ac:12:00:02", link.Mac.ToString());
        Assert.True(inside.GetLink("lo").IsUp);
        // An IPv4-only network gives the sandbox's interface no IPv6 at all (Docker's CVE-2024-32473 fix).
        Assert.Equal("1", w.Exec("c1", "cat", "/proc/sys/net/ipv6/conf/eth0/disable_ipv6").Output.Trim());
        Assert.DoesNotContain(inside.ListAddresses(inside.GetLink("eth0").Index), a => !a.Prefix.IsIPv4);
        var route = Assert.Single(inside.ListRoutes(4), r => r.IsDefault);
        Assert.Equal(IPAddress.Parse("172.18.0.1"), route.Gateway);

        // Processes see the sandbox's own hosts file, hostname and resolv.conf.
        var hosts = w.Exec("c1", "getent", "hosts", "one");
        Assert.Equal(0, hosts.ExitCode);
        Assert.Contains("172.18.0.2", hosts.Output, StringComparison.Ordinal);
        Assert.Equal("one", w.Exec("c1", "hostname").Output.Trim());
        // A user-defined network: the sandbox asks the embedded resolver, which forwards to the daemon's --dns.
        var resolv = w.Exec("c1", "cat", "/etc/resolv.conf").Output;
        Assert.Contains("nameserver 127.0.0.11", resolv, StringComparison.Ordinal);
        Assert.Contains("Upstream: 192.0.2.53", resolv, StringComparison.Ordinal);
    }

    [PrivilegedFact]
    public void A_sandbox_on_two_networks_gets_eth0_and_eth1_and_the_gateway_follows_priority()
    {
        using var w = new EngineWorld();
        var c = w.Controller;
        c.CreateNetwork(Bridge("front", "10.1.0.0/24"));
        c.CreateNetwork(Bridge("back", "10.2.0.0/24"));
        c.CreateSandbox(new SandboxCreateRequest { Name = "app" });
        c.Connect("front", "app");
        var back = c.Connect("back", "app", new EndpointCreateRequest { GatewayPriority = 10 });
        Assert.Equal("eth1", back.InterfaceName);

        var rt = c.GetSandbox("app").Netlink;
        Assert.NotNull(rt.FindLink("eth0"));
        Assert.NotNull(rt.FindLink("eth1"));
        var def = Assert.Single(rt.ListRoutes(4), r => r.IsDefault);
        Assert.Equal(IPAddress.Parse("10.2.0.1"), def.Gateway); // higher priority wins
        Assert.Equal(rt.GetLink("eth1").Index, def.OutputIndex);

        // Leaving the gateway network moves the default route to the other one.
        c.Disconnect("back", "app");
        Assert.Null(rt.FindLink("eth1"));
        def = Assert.Single(rt.ListRoutes(4), r => r.IsDefault);
        Assert.Equal(IPAddress.Parse("10.1.0.1"), def.Gateway);

        // Equal priority: the first joined keeps the gateway; the next interface name is the lowest free one.
        var again = c.Connect("back", "app");
        Assert.Equal("eth1", again.InterfaceName);
        Assert.Equal(IPAddress.Parse("10.1.0.1"), Assert.Single(rt.ListRoutes(4), r => r.IsDefault).Gateway);
    }

    [PrivilegedFact]
    public void An_endpoint_keeps_its_address_across_leave_and_join()
    {
        using var w = new EngineWorld();
        var c = w.Controller;
        c.CreateNetwork(Bridge("web", "172.20.0.0/24"));
        c.CreateSandbox(new SandboxCreateRequest { Name = "s1" });
        var ep = c.CreateEndpoint("web", new EndpointCreateRequest { Name = "ep1", IPv4Address = IPAddress.Parse("172.20.0.50") });
        c.Join("web", "ep1", "s1");
        Assert.True(w.Ping("s1", "172.20.0.1"));
        c.Leave("web", "ep1", "s1");
        Assert.Null(c.GetSandbox("s1").Netlink.FindLink("eth0"));
        var rejoined = c.Join("web", ep.Id[..8], "s1");
        Assert.Equal("172.20.0.50/24", rejoined.IPv4.ToString());
        Assert.Contains(c.GetSandbox("s1").Netlink.ListAddresses(), a => a.Prefix.ToString() == "172.20.0.50/24");
    }

    [PrivilegedFact]
    public void IPv6_networks_give_sandboxes_an_IPv6_address_and_default_route()
    {
        using var w = new EngineWorld();
        var c = w.Controller;
        c.CreateNetwork(Bridge("v6", "172.21.0.0/24", ipv6: true, subnet6: "fd00:21::/64"));
        c.CreateSandbox(new SandboxCreateRequest { Name = "a" });
        c.CreateSandbox(new SandboxCreateRequest { Name = "b" });
        var ea = c.Connect("v6", "a");
        var eb = c.Connect("v6", "b");
        Assert.NotNull(ea.IPv6);
        var rt = c.GetSandbox("a").Netlink;
        Assert.Equal(IPAddress.Parse("fd00:21::1"), Assert.Single(rt.ListRoutes(6), r => r.IsDefault).Gateway);
        Assert.Equal(0, w.Exec("a", "busybox", "ping", "-6", "-c", "1", "-W", "2", eb.IPv6!.Value.Address.ToString()).ExitCode);
        Assert.Equal("0", w.Exec("a", "cat", "/proc/sys/net/ipv6/conf/eth0/disable_ipv6").Output.Trim());
    }

    [PrivilegedFact]
    public void Internal_networks_give_no_default_route()
    {
        using var w = new EngineWorld();
        var c = w.Controller;
        c.CreateNetwork(Bridge("inside", "172.22.0.0/24") with { Internal = true });
        c.CreateSandbox(new SandboxCreateRequest { Name = "s" });
        c.Connect("inside", "s");
        Assert.DoesNotContain(c.GetSandbox("s").Netlink.ListRoutes(4), r => r.IsDefault);
    }

    [PrivilegedFact]
    public void A_namespace_adopted_by_pid_joins_a_network()
    {
        using var w = new EngineWorld();
        var c = w.Controller;
        c.CreateNetwork(Bridge("web", "172.23.0.0/24"));
        c.CreateSandbox(new SandboxCreateRequest { Name = "peer" });
        c.Connect("web", "peer");
        // A "container started with --net=none": a process in a namespace of its own with only lo.
        using var proc = w.Net.HostNs.StartProcess(new System.Diagnostics.ProcessStartInfo("unshare", ["--net", "--", "sleep", "60"]));
        try
        {
            WaitForOwnNamespace(proc.Id);
            c.CreateSandbox(new SandboxCreateRequest { Name = "adopted", Mode = SandboxNamespaceMode.Pid, Pid = proc.Id });
            var ep = c.Connect("web", "adopted");
            var (code, output) = Processes.Run("nsenter", [$"--net=/proc/{proc.Id}/ns/net", "busybox", "ping", "-c", "1", "-W", "2", "172.23.0.2"]);
            Assert.True(code == 0, output);
            Assert.Equal("172.23.0.3/24", ep.IPv4.ToString());
            // Removing an adopted sandbox unwires it but leaves the process's namespace alone.
            c.DeleteSandbox("adopted");
            var links = Processes.Run("nsenter", [$"--net=/proc/{proc.Id}/ns/net", "ip", "-o", "link"]).Output;
            Assert.DoesNotContain("eth0", links, StringComparison.Ordinal);
            Assert.Contains("lo", links, StringComparison.Ordinal);
        }
        finally
        {
            proc.Kill();
            proc.WaitForExit();
        }
    }

    internal static void WaitForOwnNamespace(int pid)
    {
        var parent = File.ResolveLinkTarget($"/proc/{Environment.ProcessId}/ns/net", false)?.Name;
        for (int i = 0; i < 200; i++)
        {
            try
            {
                var child = File.ResolveLinkTarget($"/proc/{pid}/ns/net", false)?.Name;
                if (child is not null && child != parent && File.ReadAllText($"/proc/{pid}/comm").Trim() == "sleep") return;
            }
            catch (IOException)
            {
            }
            Thread.Sleep(10);
        }
        throw new TimeoutException($"process {pid} did not enter a namespace of its own");
    }

    [PrivilegedFact]
    public void A_bridge_floods_multicast_unless_the_network_asks_for_snooping_a_restart_puts_the_setting_back_and_a_bad_value_is_refused_with_nothing_made()
    {
        using var w = new EngineWorld();
        var c = w.Controller;
        int Snooping(string bridge) =>
            Assert.Single(IpJson.Query(w.Net, "host", "-d", "link", "show", bridge)).GetProperty("linkinfo").GetProperty("info_data").GetProperty("mcast_snooping").GetInt32();

        var plain = c.CreateNetwork(Bridge("plain", "10.7.0.0/24"));
        Assert.Equal(0, Snooping(plain.DriverState["bridge"]));
        var snooping = c.CreateNetwork(Bridge("snoop", "10.8.0.0/24") with { Options = new Dictionary<string, string> { [BridgeOptions.MulticastSnooping] = "true" } });
        Assert.Equal(1, Snooping(snooping.DriverState["bridge"]));
        c.CreateSandbox(new SandboxCreateRequest { Name = "s1" });
        c.CreateSandbox(new SandboxCreateRequest { Name = "s2" });
        foreach (var n in new[] { "plain", "snoop" })
        {
            c.Connect(n, "s1");
            var e2 = c.Connect(n, "s2");
            Assert.True(w.Ping("s1", e2.IPv4!.Value.Address.ToString()));
        }

        // A bridge taken up at a restart gets its network's setting back (one made by an older plexusd had snooping on).
        Assert.Equal(0, w.Net.Exec("host", "ip", "link", "set", plain.DriverState["bridge"], "type", "bridge", "mcast_snooping", "1").ExitCode);
        c = w.Restart();
        Assert.Empty(w.LastRestoreLog);
        Assert.Equal(0, Snooping(plain.DriverState["bridge"]));
        Assert.Equal(1, Snooping(snooping.DriverState["bridge"]));

        var links = w.HostLinks();
        var bad = Assert.Throws<PlexusException>(() => c.CreateNetwork(Bridge("bad", "10.9.0.0/24") with { Options = new Dictionary<string, string> { [BridgeOptions.MulticastSnooping] = "sometimes" } }));
        Assert.Equal(ErrorKind.InvalidArgument, bad.Kind);
        Assert.Contains($"option {BridgeOptions.MulticastSnooping} must be true or false, not 'sometimes'", bad.Message, StringComparison.Ordinal);
        Assert.Equal(links, w.HostLinks());
        Assert.DoesNotContain(c.Networks, n => n.Name == "bad");
    }

    [PrivilegedFact]
    public void Deleting_everything_leaves_the_host_as_it_was()
    {
        using var w = new EngineWorld();
        var c = w.Controller;
        var linksBefore = w.HostLinks();
        c.CreateNetwork(Bridge("a", "10.5.0.0/24"));
        c.CreateNetwork(Bridge("b", "10.6.0.0/24"));
        for (int i = 0; i < 3; i++)
        {
            c.CreateSandbox(new SandboxCreateRequest { Name = $"s{i}" });
            c.Connect("a", $"s{i}");
            c.Connect("b", $"s{i}");
        }
        Assert.Equal(2 + 6, w.HostLinks().Length - linksBefore.Length);

        var busy = Assert.Throws<PlexusException>(() => c.DeleteNetwork("a"));
        Assert.Equal(ErrorKind.Forbidden, busy.Kind);
        Assert.Contains("has active endpoints (s0, s1, s2)", busy.Message, StringComparison.Ordinal);

        for (int i = 0; i < 3; i++) c.DeleteSandbox($"s{i}");
        c.DeleteNetwork("a");
        c.DeleteNetwork("b");
        Assert.Equal(linksBefore, w.HostLinks());
        Assert.Empty(new Kernel.Namespaces.NamespaceDirectory(w.Options.NamespaceDirectory).List());
        Assert.Empty(c.Networks);
        Assert.Empty(c.Sandboxes);
        Assert.Empty(c.Endpoints);
        // The store agrees after a restart.
        var restarted = w.Restart();
        Assert.Empty(restarted.Networks);
        Assert.Empty(restarted.Sandboxes);
    }
}
