using System.Text.Json;
using Plexus.Api;
using Plexus.Kernel.Rtnl;
using Plexus.Kernel.Rtnl.LinkKinds;
using Plexus.Kernel.Types;
using Plexus.Testing;

namespace Plexus.Daemon.Tests;

/// <summary>
/// macvlan networks through the plexus CLI and the docker CLI against a running plexusd, over a "segment":
/// a veth pair whose near end (lan0, in the daemon's host namespace) is the parent and whose far end is the
/// "lan" host, which holds the gateway address.
/// </summary>
[Trait("Category", "Privileged")]
public sealed class MacvlanTests
{
    private static (int ExitCode, string Output) Plexus(DaemonWorld w, params string[] args) =>
        Processes.Run(RepositoryPaths.JitCli, ["-H", "unix://" + w.Socket, .. args], 60_000);

    private static void Run(DaemonWorld w, string name, string network)
    {
        using var made = w.Post("plexus/sandboxes", new SandboxCreateJson { Name = name, Network = network }, DaemonJson.Default.SandboxCreateJson);
        Assert.True(made.IsSuccessStatusCode, made.Content.ReadAsStringAsync().Result);
    }

    [PrivilegedFact]
    public void Macvlan_networks_work_through_both_clients_and_survive_a_daemon_restart()
    {
        using var w = new DaemonWorld();
        var (lanNs, lan) = w.Net.Add("lan");
        w.Net.Host.CreateLink(new VethSpec("lan0", "lan0p") { PeerNamespace = lanNs });
        w.Net.Host.SetUp(w.Net.Host.GetLink("lan0").Index);
        lan.AddAddress(lan.GetLink("lan0p").Index, IPPrefix.Parse("192.168.70.1/24"));
        lan.SetUp(lan.GetLink("lan0p").Index);
        w.Start();

        var create = Plexus(w, "network", "create", "-d", "macvlan", "-o", "parent=lan0", "-o", "macvlan_mode=bridge",
            "--subnet", "192.168.70.0/24", "--gateway", "192.168.70.1", "lan");
        Assert.True(create.ExitCode == 0, create.Output);
        var inspect = w.Docker("network", "inspect", "lan");
        Assert.True(inspect.ExitCode == 0, inspect.Output);
        var net = JsonDocument.Parse(inspect.Output).RootElement[0];
        Assert.Equal("macvlan", net.GetProperty("Driver").GetString());
        Assert.Equal("lan0", net.GetProperty("Options").GetProperty("parent").GetString());

        Run(w, "c1", "lan");
        Run(w, "c2", "lan");
        Assert.Equal(0, w.Exec("c1", "busybox", "ping", "-c", "1", "-W", "2", "c2").ExitCode); // by name, through the resolver
        Assert.Equal(0, w.Exec("c1", "busybox", "ping", "-c", "1", "-W", "2", "192.168.70.1").ExitCode);
        Assert.Equal(0, w.Net.Exec("lan", "busybox", "ping", "-c", "1", "-W", "2", "192.168.70.3").ExitCode);

        // The docker CLI: a missing parent names it; ipvlan says plainly when the kernel lacks it; --internal without a parent.
        var missing = w.Docker("network", "create", "-d", "macvlan", "-o", "parent=nope0", "--subnet", "10.93.0.0/24", "x");
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("parent interface nope0 was not found", missing.Output, StringComparison.Ordinal);
        var ipvlan = w.Docker("network", "create", "-d", "ipvlan", "-o", "parent=lan0", "--subnet", "10.94.0.0/24", "y");
        if (!w.Net.Host.HasLinkKind("ipvlan"))
        {
            Assert.NotEqual(0, ipvlan.ExitCode);
            Assert.Contains("ipvlan is not supported by this kernel", ipvlan.Output, StringComparison.Ordinal);
        }
        else
        {
            Assert.True(ipvlan.ExitCode == 0, ipvlan.Output);
            Assert.Equal(0, w.Docker("network", "rm", "y").ExitCode);
        }
        var iso = w.Docker("network", "create", "-d", "macvlan", "--internal", "--subnet", "10.95.0.0/24", "iso");
        Assert.True(iso.ExitCode == 0, iso.Output);
        var dummy = "dm-" + iso.Output.Trim()[..12];
        Assert.Contains(dummy, w.HostLinks());
        Run(w, "i1", "iso");
        Run(w, "i2", "iso");
        Assert.Equal(0, w.Exec("i1", "busybox", "ping", "-c", "1", "-W", "2", "i2").ExitCode);

        w.Stop();
        w.Start();
        Assert.Equal(0, w.Exec("c1", "busybox", "ping", "-c", "1", "-W", "2", "192.168.70.3").ExitCode);
        Assert.Equal(0, w.Exec("i2", "busybox", "ping", "-c", "1", "-W", "2", "i1").ExitCode);
        Assert.Equal(0, w.Net.Exec("lan", "busybox", "ping", "-c", "1", "-W", "2", "192.168.70.2").ExitCode);

        foreach (var s in new[] { "c1", "c2", "i1", "i2" })
            using (var r = w.Http.DeleteAsync($"plexus/sandboxes/{s}?force=1").Result)
                Assert.True(r.IsSuccessStatusCode, r.Content.ReadAsStringAsync().Result);
        Assert.Equal(0, Plexus(w, "network", "rm", "lan").ExitCode);
        Assert.Equal(0, w.Docker("network", "rm", "iso").ExitCode);
        // The network's own parent went with it; the user's parent stays (plexus0 is the default bridge network's).
        Assert.Equal(["lan0", "plexus0"], w.HostLinks());
    }
}
