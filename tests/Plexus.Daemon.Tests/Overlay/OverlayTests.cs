using System.Net;
using Plexus.Api;
using Plexus.Kernel.Rtnl;
using Plexus.Testing;

namespace Plexus.Daemon.Tests.Overlay;

/// <summary>
/// Issue 17: overlay networks across three plexusd "hosts" sharing one etcd (<see cref="OverlayHosts"/>). What a user
/// checks: a network made on one host shows on the others with the same id; sandboxes on hosts 1 and 3 ping each
/// other; another overlay network is apart; entries of a removed endpoint or a dead host go away everywhere.
/// </summary>
[Trait("Category", "Privileged")]
public sealed class OverlayTests(OverlayHosts hosts) : IClassFixture<OverlayHosts>
{
    [PrivilegedFact]
    public void A_network_made_on_one_host_shows_on_every_host_with_one_id_and_its_name_and_subnet_are_taken_cluster_wide()
    {
        var (code, output) = hosts[1].Docker("network", "create", "-d", "overlay", "--subnet", "10.210.0.0/24", "shared");
        Assert.True(code == 0, output);
        var id = hosts.Inspect(1, "shared", "{{.Id}}");
        Assert.Equal("global", hosts.Inspect(1, "shared", "{{.Scope}}"));
        for (int n = 2; n <= hosts.Count; n++)
        {
            int host = n;
            OverlayHosts.Eventually(() => hosts[host].Docker("network", "inspect", "-f", "{{.Id}} {{.Scope}}", "shared").Output.Trim() == $"{id} global",
                $"network shared with id {id} and scope global on host {host}");
        }
        Assert.Equal("10.210.0.0/24", hosts.Inspect(3, "shared", "{{(index .IPAM.Config 0).Subnet}}"));
        Assert.NotEmpty(hosts.Inspect(2, "shared", "{{index .Options \"com.docker.network.driver.overlay.vxlanid_list\"}}"));

        // The name on another host, and an overlapping subnet: one clear error each.
        var again = hosts[2].Docker("network", "create", "-d", "overlay", "--subnet", "10.211.0.0/24", "shared");
        Assert.NotEqual(0, again.ExitCode);
        Assert.Contains("network with name shared already exists", again.Output, StringComparison.Ordinal);
        var overlap = hosts[3].Docker("network", "create", "-d", "overlay", "--subnet", "10.210.0.128/25", "overlapping");
        Assert.NotEqual(0, overlap.ExitCode);
        // Host 3 knows shared already, so its own IPAM refuses first; a host that does not yet is refused by the pool list in etcd.
        Assert.Contains("overlaps subnet 10.210.0.0/24 of", overlap.Output, StringComparison.Ordinal);
        Assert.Contains("shared", overlap.Output, StringComparison.Ordinal);
        Assert.NotEqual(0, hosts[1].Docker("network", "inspect", "overlapping").ExitCode);

        // Deleted on host 3: gone everywhere, and the name is free again.
        Assert.Equal(0, hosts[3].Docker("network", "rm", "shared").ExitCode);
        for (int n = 1; n <= hosts.Count; n++)
        {
            int host = n;
            OverlayHosts.Eventually(() => hosts[host].Docker("network", "inspect", "shared").ExitCode != 0, $"network shared gone from host {host}");
        }
    }

    [PrivilegedFact]
    public void Sandboxes_on_hosts_1_and_3_reach_each_other_and_another_overlay_network_is_apart()
    {
        Assert.Equal(0, hosts[1].Docker("network", "create", "-d", "overlay", "--subnet", "10.220.0.0/24", "red").ExitCode);
        Assert.Equal(0, hosts[2].Docker("network", "create", "-d", "overlay", "--subnet", "10.221.0.0/24", "blue").ExitCode);
        for (int n = 1; n <= hosts.Count; n++)
        {
            int host = n;
            OverlayHosts.Eventually(() => hosts[host].Docker("network", "inspect", "red").ExitCode == 0 && hosts[host].Docker("network", "inspect", "blue").ExitCode == 0,
                $"networks red and blue on host {host}");
        }
        var red1 = hosts.Sandbox(1, "red1", "red");
        var red3 = hosts.Sandbox(3, "red3", "red");
        var blue3 = hosts.Sandbox(3, "blue3", "blue");
        var blue1 = hosts.Sandbox(1, "blue1", "blue");
        // Global IPAM: two hosts never hand out one address.
        Assert.Equal(4, new[] { red1, red3, blue3, blue1 }.Distinct().Count());
        Assert.NotEqual(red1, red3);

        OverlayHosts.Eventually(() => hosts.Pings(1, "red1", red3), $"red1 (host 1) pings red3 (host 3) at {red3}");
        Assert.True(hosts.Pings(3, "red3", red1), $"red3 (host 3) pings red1 (host 1) at {red1}");
        OverlayHosts.Eventually(() => hosts.Pings(3, "blue3", blue1), $"blue3 (host 3) pings blue1 (host 1) at {blue1}");
        // Names across hosts: the embedded resolver answers for sandboxes of the same overlay network elsewhere, not for other networks'.
        OverlayHosts.Eventually(() => (hosts[1].Exec("red1", "getent", "hosts", "red3").Stdout ?? "").StartsWith(red3 + " ", StringComparison.Ordinal), "red1 resolves red3 (host 3)");
        Assert.NotEqual(0, hosts[1].Exec("red1", "getent", "hosts", "blue3").ExitCode);
        // Apart: nothing of red reaches blue, on either host.
        Assert.False(hosts.Pings(1, "red1", blue3), "red1 reached blue3 on another overlay network");
        Assert.False(hosts.Pings(3, "red3", blue1), "red3 reached blue1 on another overlay network");

        // The tunnel is what carries it: host 1's red device sends red3's MAC to host 3, and no one learns or floods.
        var redId = hosts.Inspect(1, "red", "{{.Id}}");
        Assert.Contains(hosts.Fdb(1, redId), e => e.Vtep.Equals(IPAddress.Parse(OverlayHosts.Vtep(3))));
        Assert.DoesNotContain(hosts.Fdb(1, redId), e => e.Mac.ToString() == "00:00:00:00:00:00");
        var vx = Assert.Single(IpJson.Query(hosts[1].Net, "host", "-d", "link", "show", Engine.Drivers.Overlay.OverlayDriver.VxlanName(redId)));
        var data = vx.GetProperty("linkinfo").GetProperty("info_data");
        Assert.Equal(4789, data.GetProperty("port").GetInt32());
        Assert.Equal(OverlayHosts.Vtep(1), data.Str("local"));
        Assert.False(data.TryGetProperty("learning", out var learning) && learning.GetBoolean());
        Assert.Equal(1500 - 50, vx.GetProperty("mtu").GetInt32());
        // Host 2 has no endpoint of red: no device there.
        Assert.Null(hosts[2].Net.Host.FindLink(Engine.Drivers.Overlay.OverlayDriver.VxlanName(redId)));

        // A removed endpoint's entries go from the other hosts; the last local endpoint takes the devices with it.
        var red3Mac = hosts[3].Docker("inspect", "-f", "{{.NetworkSettings.Networks.red.MacAddress}}", "red3").Output.Trim();
        hosts.RemoveSandbox(3, "red3");
        OverlayHosts.Eventually(() => !hosts.Fdb(1, redId).Any(e => e.Mac.ToString() == red3Mac), $"red3's MAC {red3Mac} gone from host 1's FDB");
        Assert.Null(hosts[3].Net.Host.FindLink(Engine.Drivers.Overlay.OverlayDriver.VxlanName(redId)));
        Assert.False(hosts.Pings(1, "red1", red3));

        hosts.RemoveSandbox(1, "red1");
        hosts.RemoveSandbox(1, "blue1");
        hosts.RemoveSandbox(3, "blue3");
        Assert.Equal(0, hosts[1].Docker("network", "rm", "red").ExitCode);
        Assert.Equal(0, hosts[3].Docker("network", "rm", "blue").ExitCode);
    }

    [PrivilegedFact]
    public void Sandboxes_go_out_through_their_own_host_masqueraded_unless_internal_and_reach_no_other_network_through_it()
    {
        Assert.Equal(0, hosts[1].Docker("network", "create", "-d", "overlay", "--subnet", "10.241.0.0/24", "egress").ExitCode);
        Assert.Equal(0, hosts[1].Docker("network", "create", "-d", "overlay", "--subnet", "10.242.0.0/24", "--internal", "sealed").ExitCode);
        Assert.Equal(0, hosts[1].Docker("network", "create", "-d", "overlay", "--subnet", "10.244.0.0/24", "other").ExitCode);
        Assert.Equal(0, hosts[1].Docker("network", "create", "--subnet", "10.243.0.0/24", "local").ExitCode);
        OverlayHosts.Eventually(() => hosts[3].Docker("network", "inspect", "egress").ExitCode == 0, "network egress on host 3");
        var out1 = hosts.Outside(1);
        var out3 = hosts.Outside(3);
        var egress1 = hosts.Sandbox(1, "egress1", "egress");
        var egress3 = hosts.Sandbox(3, "egress3", "egress");
        hosts.Sandbox(1, "sealed1", "sealed");
        var other1 = hosts.Sandbox(1, "other1", "other");
        var local1 = hosts.Sandbox(1, "local1", "local");

        // Each outside has a route only to its own host's side: an answer proves the source was the host's (masquerade),
        // and host 3's outside answering egress3 while host 1's cannot be reached from egress1 proves each leaves by its own host.
        Assert.True(hosts.Pings(1, "egress1", out1), $"egress1 (host 1) reaches host 1's outside {out1}");
        OverlayHosts.Eventually(() => hosts.Pings(3, "egress3", out3), $"egress3 (host 3) reaches host 3's outside {out3}");
        Assert.False(hosts.Pings(1, "egress1", out3), "egress1 (host 1) reached host 3's outside: it left by another host");
        // The gateway is on every host's bridge, the same address: the sandboxes still reach each other directly.
        OverlayHosts.Eventually(() => hosts.Pings(1, "egress1", egress3), $"egress1 pings egress3 (host 3) at {egress3}");
        // ...and it is never a remote endpoint: no host answers it for another.
        var gateway = IPAddress.Parse(hosts.Inspect(1, "egress", "{{(index .IPAM.Config 0).Gateway}}"));
        var vx = hosts[3].Net.Host.GetLink(Engine.Drivers.Overlay.OverlayDriver.VxlanName(hosts.Inspect(3, "egress", "{{.Id}}")));
        Assert.DoesNotContain(hosts[3].Net.Host.ListNeighbours(NeighbourFamily.IPv4, vx.Index), e => gateway.Equals(e.Destination));

        // Internal: no way out, not even by its own host.
        Assert.False(hosts.Pings(1, "sealed1", out1), "sealed1 on an --internal overlay network reached the outside");
        // Now that the host routes for overlay networks: still no way from one to another or to a local network, either way.
        Assert.False(hosts.Pings(1, "egress1", other1), "egress1 reached other1 on another overlay network through host 1");
        Assert.False(hosts.Pings(1, "other1", egress1), "other1 reached egress1 on another overlay network through host 1");
        Assert.False(hosts.Pings(1, "egress1", local1), "egress1 (overlay) reached local1 on a local bridge network");
        Assert.False(hosts.Pings(1, "local1", egress1), "local1 (local bridge network) reached egress1 on an overlay network");
        Assert.True(hosts.Pings(1, "local1", out1), "local1 reaches the outside (the bridge network is as before)");

        // A port published by a sandbox of the overlay network answers on its own host's address, from that host's outside.
        var www = Path.Combine(hosts[1].Files, "www-overlay");
        Directory.CreateDirectory(www);
        File.WriteAllText(Path.Combine(www, "index.html"), "overlay web\n");
        using (var r = hosts[1].Post("plexus/sandboxes", new SandboxCreateJson
        {
            Name = "web1", Network = "egress", Publish = ["8080:80"], Cmd = ["busybox", "httpd", "-f", "-p", "80", "-h", www],
        }, DaemonJson.Default.SandboxCreateJson))
            Assert.True(r.IsSuccessStatusCode, r.Content.ReadAsStringAsync().Result);
        OverlayHosts.Eventually(() => hosts.Underlay.Exec("out1", "curl", "-s", "--max-time", "2", "http://10.99.1.1:8080/").Output.Trim() == "overlay web",
            "host 1's outside gets web1's page from host 1's port 8080");

        foreach (var (n, name) in new[] { (1, "egress1"), (3, "egress3"), (1, "sealed1"), (1, "other1"), (1, "local1"), (1, "web1") }) hosts.RemoveSandbox(n, name);
        foreach (var network in new[] { "egress", "sealed", "other", "local" }) Assert.Equal(0, hosts[1].Docker("network", "rm", network).ExitCode);
    }

    [PrivilegedFact]
    public void A_killed_hosts_endpoints_leave_the_others_when_its_lease_expires_and_come_back_when_it_restarts()
    {
        Assert.Equal(0, hosts[1].Docker("network", "create", "-d", "overlay", "--subnet", "10.230.0.0/24", "green").ExitCode);
        OverlayHosts.Eventually(() => hosts[2].Docker("network", "inspect", "green").ExitCode == 0, "network green on host 2");
        var green1 = hosts.Sandbox(1, "green1", "green");
        var green2 = hosts.Sandbox(2, "green2", "green");
        var id = hosts.Inspect(1, "green", "{{.Id}}");
        OverlayHosts.Eventually(() => hosts.Pings(1, "green1", green2), "green1 pings green2");
        Assert.Contains(hosts.Fdb(1, id), e => e.Vtep.Equals(IPAddress.Parse(OverlayHosts.Vtep(2))));

        hosts[2].Kill(); // no goodbye: its lease (10 s) expires
        OverlayHosts.Eventually(() => !hosts.Fdb(1, id).Any(e => e.Vtep.Equals(IPAddress.Parse(OverlayHosts.Vtep(2)))), "host 2's entries gone from host 1 after its lease expired");

        hosts.Start(2); // it finds its endpoint again and publishes it under its new lease
        OverlayHosts.Eventually(() => hosts.Fdb(1, id).Any(e => e.Vtep.Equals(IPAddress.Parse(OverlayHosts.Vtep(2)))), "host 2's entries back on host 1 after its restart");
        OverlayHosts.Eventually(() => hosts.Pings(1, "green1", green2), "green1 pings green2 after host 2 restarted");

        hosts.RemoveSandbox(1, "green1");
        hosts.RemoveSandbox(2, "green2");
        OverlayHosts.Eventually(() => hosts[1].Docker("network", "rm", "green").ExitCode == 0, "network green removed once no host has endpoints");
    }

    [PrivilegedFact]
    public void With_etcd_down_traffic_goes_on_global_operations_fail_fast_with_503_and_work_again_when_it_returns()
    {
        Assert.Equal(0, hosts[1].Docker("network", "create", "-d", "overlay", "--subnet", "10.250.0.0/24", "amber").ExitCode);
        OverlayHosts.Eventually(() => hosts[3].Docker("network", "inspect", "amber").ExitCode == 0, "network amber on host 3");
        hosts.Sandbox(1, "amber1", "amber");
        var amber3 = hosts.Sandbox(3, "amber3", "amber");
        OverlayHosts.Eventually(() => hosts.Pings(1, "amber1", amber3), "amber1 pings amber3");

        hosts.Etcd.Kill();
        try
        {
            Assert.True(hosts.Pings(1, "amber1", amber3), "traffic between existing sandboxes stopped with etcd");
            var clock = System.Diagnostics.Stopwatch.StartNew();
            using var refused = hosts[2].Http.PostAsync("networks/create",
                new StringContent("{\"Name\":\"late\",\"Driver\":\"overlay\",\"IPAM\":{\"Config\":[{\"Subnet\":\"10.251.0.0/24\"}]}}", System.Text.Encoding.UTF8, "application/json")).Result;
            Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Contains("the cluster store is unreachable (etcd at", refused.Content.ReadAsStringAsync().Result, StringComparison.Ordinal);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(45), $"the refusal took {clock.Elapsed}"); // fail-fast, not a hang (generous: loaded machine)
            // Local networks keep working fully.
            Assert.Equal(0, hosts[2].Docker("network", "create", "--subnet", "10.252.0.0/24", "homely").ExitCode);
            Assert.Equal(0, hosts[2].Docker("network", "rm", "homely").ExitCode);
        }
        finally
        {
            hosts.Etcd.Restart();
        }
        // Back without a daemon restart.
        OverlayHosts.Eventually(() => hosts[2].Docker("network", "create", "-d", "overlay", "--subnet", "10.251.0.0/24", "late").ExitCode == 0, "an overlay network made after etcd returned");
        OverlayHosts.Eventually(() => hosts[1].Docker("network", "inspect", "late").ExitCode == 0, "network late on host 1");
        Assert.True(hosts.Pings(3, "amber3", hosts.Inspect(1, "amber", "{{range .Containers}}{{.IPv4Address}}{{end}}").Split('/')[0]));

        hosts.RemoveSandbox(1, "amber1");
        hosts.RemoveSandbox(3, "amber3");
        OverlayHosts.Eventually(() => hosts[1].Docker("network", "rm", "amber").ExitCode == 0, "network amber removed");
        Assert.Equal(0, hosts[1].Docker("network", "rm", "late").ExitCode);
    }

    [PrivilegedFact]
    public void Vxlan_is_accepted_only_from_the_registered_hosts()
    {
        OverlayHosts.Eventually(() =>
        {
            var set = hosts[1].Net.Exec("host", "nft", "list", "set", "inet", "plexus-overlay", "vteps").Output;
            return Enumerable.Range(1, hosts.Count).All(n => set.Contains(OverlayHosts.Vtep(n), StringComparison.Ordinal));
        }, "host 1 accepts VXLAN from every registered host");
        Assert.DoesNotContain(OverlayHosts.EtcdAddress, hosts[1].Net.Exec("host", "nft", "list", "set", "inet", "plexus-overlay", "vteps").Output, StringComparison.Ordinal);

        // A datagram to host 1's VXLAN port from the underlay's own address (no host of the cluster) is dropped.
        long before = Dropped(1);
        Processes.Run("nsenter", [$"--net={hosts.Underlay.PathOf("host")}", "bash", "-c", $"echo frame > /dev/udp/{OverlayHosts.Vtep(1)}/4789"]);
        OverlayHosts.Eventually(() => Dropped(1) > before, "the filter dropped VXLAN from an unregistered source");
    }

    private long Dropped(int n)
    {
        var chain = hosts[n].Net.Exec("host", "nft", "list", "chain", "inet", "plexus-overlay", "vxlan").Output;
        var match = System.Text.RegularExpressions.Regex.Match(chain, @"counter packets (\d+)");
        Assert.True(match.Success, chain);
        return long.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>A daemon in no cluster refuses overlay networks, saying what it lacks.</summary>
[Trait("Category", "Privileged")]
public sealed class OverlayWithoutClusterTests
{
    [PrivilegedFact]
    public void Without_a_cluster_store_an_overlay_network_is_refused_naming_the_flag()
    {
        using var w = new DaemonWorld();
        w.Start();
        var (code, output) = w.Docker("network", "create", "-d", "overlay", "--subnet", "10.240.0.0/24", "lonely");
        Assert.NotEqual(0, code);
        Assert.Contains("--cluster-store", output, StringComparison.Ordinal);
    }
}
