using System.Net;
using System.Text.Json;
using Plexus.Engine.Controller;
using Plexus.Engine.Drivers.Bridge;
using Plexus.Engine.Ipam;
using Plexus.Engine.Model;
using Plexus.Engine.Tests.Support;
using Plexus.Kernel.Rtnl;
using Plexus.Testing;

namespace Plexus.Engine.Tests.Privileged;

/// <summary>
/// A detach returns without waiting for the kernel to delete the veth pair: the pair is parked (out of the
/// bridge, down, without addresses, renamed, in the parked interface group) and the bridge driver's reaper
/// deletes parked pairs in batches. These tests hold the reaper back (an infinite delay) wherever they look
/// at the parked state, so what they see is what a detach leaves when it returns.
/// </summary>
[Trait("Category", "Privileged")]
public sealed class DetachTests
{
    private static EngineWorld World(TimeSpan? reapDelay = null) => new(reapDelay: reapDelay ?? Timeout.InfiniteTimeSpan);

    private static void Network(NetworkController c, string name, string subnet) =>
        c.CreateNetwork(new NetworkCreateRequest { Name = name, IpamConfigs = [new IpamRequest { Subnet = IPNetwork.Parse(subnet) }] });

    private static List<Link> Parked(RtNetlink rt) => rt.ListLinks().Where(l => l.Group == BridgeDriver.ParkedGroup).ToList();

    [PrivilegedFact]
    public void A_detached_interface_is_out_of_service_when_disconnect_returns()
    {
        using var w = World();
        var c = w.Controller;
        Network(c, "web", "10.81.0.0/24");
        c.CreateSandbox(new SandboxCreateRequest { Name = "a" });
        var b = c.CreateSandbox(new SandboxCreateRequest { Name = "b" });
        c.Connect("web", "a");
        var endpoint = c.Connect("web", "b");
        var veth = BridgeOptions.VethNameFor(endpoint.Id);
        Assert.True(w.Ping("a", endpoint.IPv4!.Value.Address.ToString()));

        c.Disconnect("web", "b");

        // The host end: gone by its name, parked, without carrier (its peer is down) and out of the bridge.
        Assert.Null(w.Net.Host.FindLink(veth));
        var hostEnd = Assert.Single(Parked(w.Net.Host));
        Assert.Equal(0, (int)(hostEnd.Flags & InterfaceFlags.LowerUp));
        Assert.Null(hostEnd.MasterIndex);
        Assert.StartsWith("pxp", hostEnd.Name, StringComparison.Ordinal);
        // The sandbox end: eth0 is free, the parked interface is down with no address and no route.
        Assert.Null(b.Netlink.FindLink("eth0"));
        var inside = Assert.Single(Parked(b.Netlink));
        Assert.False(inside.IsUp);
        Assert.Empty(b.Netlink.ListAddresses(inside.Index));
        Assert.DoesNotContain(b.Netlink.ListRoutes(), r => r.OutputIndex == inside.Index);
        Assert.DoesNotContain(c.EndpointsOf(c.GetNetwork("web")), e => e.Name == "b");

        // One request deletes the pair, both ends.
        Assert.True(w.Bridge.Reaper.ReapNow());
        Assert.Empty(Parked(w.Net.Host));
        Assert.Empty(Parked(b.Netlink));
    }

    [PrivilegedFact]
    public void After_disconnect_returns_the_sandbox_receives_nothing_from_the_network()
    {
        using var w = World();
        var c = w.Controller;
        Network(c, "web", "10.82.0.0/24");
        c.CreateSandbox(new SandboxCreateRequest { Name = "a" });
        var b = c.CreateSandbox(new SandboxCreateRequest { Name = "b" });
        c.Connect("web", "a");
        var endpoint = c.Connect("web", "b");
        string ip = endpoint.IPv4!.Value.Address.ToString(), mac = endpoint.Mac!.Value.ToString();
        int eth0 = b.Netlink.GetLink("eth0").Index;

        // While attached, the same traffic reaches b: the counter this test watches does count it.
        long before = Received(w, "b", eth0);
        Flood(w, ip, mac, "10.82.0.255");
        Assert.True(Received(w, "b", eth0) > before, "b's eth0 counted nothing of a's traffic while attached");

        c.Disconnect("web", "b");
        var parked = Assert.Single(Parked(b.Netlink));
        before = Received(w, "b", parked.Index);
        Flood(w, ip, mac, "10.82.0.255");
        // Not one frame reached the interface: broadcasts, ARP for its address, and unicast to its MAC address.
        Assert.Equal(before, Received(w, "b", parked.Index));
        Assert.DoesNotContain(Parked(b.Netlink), l => l.IsUp);
    }

    [PrivilegedFact]
    public void A_detached_sandbox_receives_nothing_while_parked_and_its_pair_is_gone_after_reaping()
    {
        // Parking leaves the host end up (its carrier gone with its down peer): what keeps the network's traffic
        // from the sandbox is its own end being down. Two sandboxes stay on the network, so the bridge still has
        // ports to flood to, and the detached one's MAC address was learned on its port before the detach.
        using var w = World();
        var c = w.Controller;
        Network(c, "web", "10.88.0.0/24");
        c.CreateSandbox(new SandboxCreateRequest { Name = "a" });
        var b = c.CreateSandbox(new SandboxCreateRequest { Name = "b" });
        c.CreateSandbox(new SandboxCreateRequest { Name = "d" });
        c.Connect("web", "a");
        var endpoint = c.Connect("web", "b");
        c.Connect("web", "d");
        string ip = endpoint.IPv4!.Value.Address.ToString(), mac = endpoint.Mac!.Value.ToString();
        Assert.True(w.Ping("b", "10.88.0.1"));
        Assert.True(w.Ping("a", ip));

        c.Disconnect("web", "b");
        var parked = Assert.Single(Parked(b.Netlink));
        var hostEnd = Assert.Single(Parked(w.Net.Host));
        Assert.False(parked.IsUp);
        long before = Received(w, "b", parked.Index);
        Flood(w, ip, mac, "10.88.0.255");
        Assert.Equal(before, Received(w, "b", parked.Index));
        Assert.False(w.Ping("a", ip));
        Assert.True(w.Ping("a", c.EndpointsOf(c.GetSandbox("d")).Single().IPv4!.Value.Address.ToString()));

        Assert.True(w.Bridge.Reaper.ReapNow());
        Assert.Empty(Parked(w.Net.Host));
        Assert.Empty(Parked(b.Netlink));
        Assert.Null(w.Net.Host.FindLink(hostEnd.Name));
    }

    /// <summary>From a: broadcast pings, ARP for b's address, and unicast frames to b's MAC address (a static neighbour).</summary>
    private static void Flood(EngineWorld w, string ip, string mac, string broadcast)
    {
        w.Exec("a", "busybox", "ping", "-b", "-c", "3", "-W", "1", broadcast);
        w.ExecPrivileged("a", "ip", "neigh", "flush", "dev", "eth0");
        w.Exec("a", "busybox", "ping", "-c", "2", "-W", "1", ip);
        Assert.Equal(0, w.ExecPrivileged("a", "ip", "neigh", "replace", ip, "lladdr", mac, "dev", "eth0", "nud", "permanent").ExitCode);
        w.Exec("a", "busybox", "ping", "-c", "3", "-W", "1", ip);
        Assert.Equal(0, w.ExecPrivileged("a", "ip", "neigh", "del", ip, "dev", "eth0").ExitCode);
    }

    /// <summary>Packets the interface has received (`ip -s -j link`, read inside the sandbox).</summary>
    private static long Received(EngineWorld w, string sandbox, int index)
    {
        var (code, output) = w.Exec(sandbox, "ip", "-s", "-j", "link", "show");
        Assert.True(code == 0, output);
        using var doc = JsonDocument.Parse(output);
        var link = doc.RootElement.EnumerateArray().Single(l => l.GetProperty("ifindex").GetInt32() == index);
        return link.GetProperty("stats64").GetProperty("rx").GetProperty("packets").GetInt64();
    }

    [PrivilegedFact]
    public void A_sandbox_rejoins_at_once_while_its_old_interface_is_parked()
    {
        using var w = World();
        var c = w.Controller;
        Network(c, "web", "10.83.0.0/24");
        c.CreateSandbox(new SandboxCreateRequest { Name = "a" });
        var b = c.CreateSandbox(new SandboxCreateRequest { Name = "b" });
        c.Connect("web", "a");
        c.Connect("web", "b");
        c.Disconnect("web", "b");
        var again = c.Connect("web", "b");
        Assert.Equal("eth0", again.InterfaceName);
        Assert.True(w.Ping("b", "10.83.0.1"));
        Assert.True(w.Ping("a", again.IPv4!.Value.Address.ToString()));

        // A standalone endpoint keeps its id, so its host end gets the same name again: free too.
        var standalone = c.CreateEndpoint("web", new EndpointCreateRequest { Name = "solo" });
        c.Disconnect("web", "b");
        c.Join("web", standalone.Id, "b");
        c.Leave("web", standalone.Id, "b");
        var rejoined = c.Join("web", standalone.Id, "b");
        Assert.NotNull(w.Net.Host.FindLink(BridgeOptions.VethNameFor(standalone.Id)));
        Assert.True(w.Ping("a", rejoined.IPv4!.Value.Address.ToString()));
        Assert.Equal(3, Parked(w.Net.Host).Count);
        Assert.Equal(3, Parked(b.Netlink).Count);
    }

    [PrivilegedFact]
    public void A_network_is_removed_right_after_its_last_detach()
    {
        using var w = World();
        var c = w.Controller;
        Network(c, "web", "10.84.0.0/24");
        c.CreateSandbox(new SandboxCreateRequest { Name = "b" });
        var bridge = BridgeOptions.DefaultNameFor(c.GetNetwork("web").Id);
        c.Connect("web", "b");
        c.Disconnect("web", "b");
        // The parked host end is out of the bridge: nothing holds it.
        Assert.Single(Parked(w.Net.Host));
        c.DeleteNetwork("web");
        Assert.Null(w.Net.Host.FindLink(bridge));
        w.Reap();
        Assert.Empty(Parked(w.Net.Host));
    }

    [PrivilegedFact]
    public void Parked_pairs_are_deleted_together_in_one_request()
    {
        using var w = World();
        var c = w.Controller;
        Network(c, "web", "10.85.0.0/24");
        for (int i = 0; i < 5; i++)
        {
            c.CreateSandbox(new SandboxCreateRequest { Name = $"s{i}" });
            c.Connect("web", $"s{i}");
        }
        for (int i = 0; i < 5; i++) c.Disconnect("web", $"s{i}");
        Assert.Equal(5, Parked(w.Net.Host).Count);

        Assert.True(w.Bridge.Reaper.ReapNow());
        Assert.Equal(1, w.Bridge.Reaper.Batches);
        Assert.Empty(Parked(w.Net.Host));
        for (int i = 0; i < 5; i++) Assert.Empty(Parked(c.GetSandbox($"s{i}").Netlink));
        Assert.False(w.Bridge.Reaper.ReapNow()); // nothing left
    }

    [PrivilegedFact]
    public void The_reaper_deletes_parked_pairs_on_its_own_in_batches()
    {
        // A long delay, so the three detaches below are parked before the first deletion whatever the load.
        using var w = World(TimeSpan.FromSeconds(5));
        var c = w.Controller;
        Network(c, "web", "10.86.0.0/24");
        for (int i = 0; i < 3; i++)
        {
            c.CreateSandbox(new SandboxCreateRequest { Name = $"s{i}" });
            c.Connect("web", $"s{i}");
        }
        for (int i = 0; i < 3; i++) c.Disconnect("web", $"s{i}");
        // The links leave the kernel's dumps before the reaper's thread has read the kernel's answer and counted the batch.
        for (int i = 0; i < 600 && (Parked(w.Net.Host).Count > 0 || w.Bridge.Reaper.Batches == 0); i++) Thread.Sleep(100);
        Assert.Empty(Parked(w.Net.Host));
        Assert.Equal(1, w.Bridge.Reaper.Batches);
        Assert.Null(w.Bridge.Reaper.LastError);
    }

    [PrivilegedFact]
    public void A_restart_deletes_what_a_crash_left_parked()
    {
        using var w = World();
        var c = w.Controller;
        Network(c, "web", "10.87.0.0/24");
        c.CreateSandbox(new SandboxCreateRequest { Name = "a" });
        c.CreateSandbox(new SandboxCreateRequest { Name = "b" });
        c.Connect("web", "a");
        c.Connect("web", "b");
        c.Disconnect("web", "b");
        Assert.Single(Parked(w.Net.Host));

        // As a crash: the controller goes without reaping, and a new one starts on the same kernel and store.
        c = w.Restart();
        Assert.Empty(Parked(w.Net.Host));
        Assert.Empty(Parked(c.GetSandbox("b").Netlink));
        Assert.Contains(w.LastRestoreLog, l => l.Contains("pxp", StringComparison.Ordinal));
        // What was in service still is.
        var a = c.EndpointsOf(c.GetSandbox("a")).Single();
        Assert.True(w.Ping("a", "10.87.0.1"));
        Assert.NotNull(w.Net.Host.FindLink(BridgeOptions.VethNameFor(a.Id)));
    }
}
