using System.Net;
using Plexus.Engine.Controller;
using Plexus.Engine.Drivers.Macvlan;
using Plexus.Engine.Ipam;
using Plexus.Engine.Model;
using Plexus.Engine.Tests.Support;
using Plexus.Kernel.Rtnl;
using Plexus.Kernel.Rtnl.LinkKinds;
using Plexus.Kernel.Types;
using Plexus.Testing;

namespace Plexus.Engine.Tests.Privileged;

/// <summary>
/// The macvlan driver against the kernel. The "segment" is a veth pair: its near end, in the world's host
/// namespace, is the parent; its far end is in a namespace of its own, the "lan" host, which holds the
/// network's gateway address (a router on the segment, as Docker's macvlan expects one).
/// </summary>
[Trait("Category", "Privileged")]
public sealed class MacvlanNetworkTests
{
    private static NetworkCreateRequest Macvlan(string name, string subnet, string? gateway = null, string? parent = null, string? mode = null,
        bool @internal = false, string driver = MacvlanDriver.DriverName)
    {
        var options = new Dictionary<string, string>();
        if (parent is not null) options[ParentOption.Key] = parent;
        if (mode is not null) options[MacvlanOptions.ModeKey] = mode;
        return new NetworkCreateRequest
        {
            Name = name,
            Driver = driver,
            Options = options,
            Internal = @internal,
            IpamConfigs = [new IpamRequest { Subnet = IPNetwork.Parse(subnet), Gateway = gateway is null ? null : IPAddress.Parse(gateway) }],
        };
    }

    /// <summary>The segment: "lan0" on the host (the parent, up), its peer in namespace "lan" with <paramref name="address"/>.</summary>
    private static void AddSegment(EngineWorld w, string address)
    {
        var (lanNs, lan) = w.Net.Add("lan");
        w.Net.Host.CreateLink(new VethSpec("lan0", "lan0p") { PeerNamespace = lanNs });
        w.Net.Host.SetUp(w.Net.Host.GetLink("lan0").Index);
        int far = lan.GetLink("lan0p").Index;
        lan.AddAddress(far, IPPrefix.Parse(address));
        lan.SetUp(far);
    }

    private static bool LanPing(EngineWorld w, string address) =>
        w.Net.Exec("lan", "busybox", "ping", "-c", "1", "-W", "2", address).ExitCode == 0;

    [PrivilegedFact]
    public void Sandboxes_on_a_macvlan_network_reach_each_other_and_a_host_on_the_parents_segment()
    {
        using var w = new EngineWorld();
        AddSegment(w, "192.168.50.1/24");
        var c = w.Controller;
        var net = c.CreateNetwork(Macvlan("lan", "192.168.50.0/24", gateway: "192.168.50.1", parent: "lan0"));
        Assert.Equal("lan0", net.DriverState[ParentOption.Key]);
        c.CreateSandbox(new SandboxCreateRequest { Name = "c1" });
        c.CreateSandbox(new SandboxCreateRequest { Name = "c2" });
        var e1 = c.Connect("lan", "c1");
        var e2 = c.Connect("lan", "c2");
        Assert.Equal("192.168.50.2/24", e1.IPv4.ToString());
        Assert.Equal("192.168.50.3/24", e2.IPv4.ToString());

        // Each endpoint is a macvlan child of lan0 with the MAC derived from its address, as Docker's.
        var inside = c.GetSandbox("c1").Netlink.GetLink("eth0");
        Assert.Equal("macvlan", inside.Kind);
        Assert.Equal("02:42:c0:a8:32:02", inside.Mac.ToString());
        Assert.NotNull(inside.LinkNetNsId); // its parent is in another namespace: the host's
        Assert.Equal(w.Net.Host.GetLink("lan0").Index, inside.ParentIndex);
        Assert.Equal(IPAddress.Parse("192.168.50.1"), Assert.Single(c.GetSandbox("c1").Netlink.ListRoutes(4), r => r.IsDefault).Gateway);

        Assert.True(w.Ping("c1", "192.168.50.3"));
        Assert.True(w.Ping("c2", "192.168.50.2"));
        Assert.True(w.Ping("c1", "192.168.50.1"));
        Assert.True(LanPing(w, "192.168.50.3"));
        // Names through the embedded resolver, as on any user-defined network.
        var hosts = w.Exec("c1", "getent", "hosts", "c2");
        Assert.Equal(0, hosts.ExitCode);
        Assert.Contains("192.168.50.3", hosts.Output, StringComparison.Ordinal);

        // Leaving deletes the child; deleting the network leaves the user's parent alone.
        c.Disconnect("lan", "c2");
        Assert.Null(c.GetSandbox("c2").Netlink.FindLink("eth0"));
        Assert.False(LanPing(w, "192.168.50.3"));
        c.Disconnect("lan", "c1");
        c.DeleteNetwork("lan");
        Assert.NotNull(w.Net.Host.FindLink("lan0"));
        Assert.DoesNotContain(c.Networks, n => n.Driver == MacvlanDriver.DriverName);
    }

    [PrivilegedFact]
    public void Published_ports_are_refused_and_private_mode_keeps_children_apart()
    {
        using var w = new EngineWorld();
        AddSegment(w, "10.70.0.1/24");
        var c = w.Controller;
        c.CreateNetwork(Macvlan("priv", "10.70.0.0/24", parent: "lan0", mode: "private"));
        c.CreateSandbox(new SandboxCreateRequest { Name = "a" });
        c.CreateSandbox(new SandboxCreateRequest { Name = "b" });
        c.Connect("priv", "a");
        c.Connect("priv", "b");
        Assert.True(LanPing(w, "10.70.0.2"));
        Assert.False(w.Ping("a", "10.70.0.3")); // private: no child-to-child path inside the host
        c.CreateSandbox(new SandboxCreateRequest { Name = "p" });
        var ports = Assert.Throws<PlexusException>(() => c.Connect("priv", "p",
            new EndpointCreateRequest { PublishedPorts = [.. Plexus.Engine.Ports.PortSpec.Parse("8080:80").Expand()] }));
        Assert.Contains("ports cannot be published on network priv", ports.Message, StringComparison.Ordinal);
    }

    [PrivilegedFact]
    public void A_missing_parent_is_a_clear_error_naming_it_and_nothing_is_left()
    {
        using var w = new EngineWorld();
        var c = w.Controller;
        var e = Assert.Throws<PlexusException>(() => c.CreateNetwork(Macvlan("m", "10.80.0.0/24", parent: "eth9")));
        Assert.Equal(ErrorKind.NotFound, e.Kind);
        Assert.Contains("parent interface eth9 was not found", e.Message, StringComparison.Ordinal);
        var v = Assert.Throws<PlexusException>(() => c.CreateNetwork(Macvlan("m", "10.80.0.0/24", parent: "eth9.20")));
        Assert.Contains("parent interface eth9 of VLAN sub-interface eth9.20 was not found", v.Message, StringComparison.Ordinal);
        var bad = Assert.Throws<PlexusException>(() => c.CreateNetwork(Macvlan("m", "10.80.0.0/24", parent: "lo")));
        Assert.Contains("loopback interface is not a valid macvlan parent link", bad.Message, StringComparison.Ordinal);
        var mode = Assert.Throws<PlexusException>(() => c.CreateNetwork(Macvlan("m", "10.80.0.0/24", parent: "lo0", mode: "bogus")));
        Assert.Contains("requested macvlan mode 'bogus' is not valid", mode.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(c.Networks, n => n.Name == "m");
        // The subnet went back to IPAM: a network can have it now.
        c.CreateNetwork(new NetworkCreateRequest { Name = "b", IpamConfigs = [new IpamRequest { Subnet = IPNetwork.Parse("10.80.0.0/24") }] });
    }

    [PrivilegedFact]
    public void Overlapping_subnets_on_one_parent_and_a_second_network_beside_passthru_are_refused()
    {
        using var w = new EngineWorld();
        AddSegment(w, "10.60.0.1/24");
        var c = w.Controller;
        c.CreateNetwork(Macvlan("one", "10.60.0.0/24", parent: "lan0"));
        var overlap = Assert.Throws<PlexusException>(() => c.CreateNetwork(Macvlan("two", "10.60.0.0/25", parent: "lan0")));
        Assert.Contains("overlaps subnet 10.60.0.0/24 of network one", overlap.Message, StringComparison.Ordinal);
        var passthru = Assert.Throws<PlexusException>(() => c.CreateNetwork(Macvlan("three", "10.61.0.0/24", parent: "lan0", mode: "passthru")));
        Assert.Contains("cannot use mode passthru, macvlan network one is already using parent interface lan0", passthru.Message, StringComparison.Ordinal);
        // Another subnet on the same parent is fine, as with Docker.
        c.CreateNetwork(Macvlan("four", "10.62.0.0/24", parent: "lan0"));
        Assert.Equal(["four", "one"], c.Networks.Where(n => n.Driver == MacvlanDriver.DriverName).Select(n => n.Name).Order().ToArray());
    }

    [PrivilegedFact]
    public void A_passthru_child_takes_the_parent_over_and_a_second_one_is_refused_with_nothing_left()
    {
        using var w = new EngineWorld();
        AddSegment(w, "10.40.0.1/24");
        var c = w.Controller;
        c.CreateNetwork(Macvlan("pt", "10.40.0.0/24", parent: "lan0", mode: "passthru"));
        c.CreateSandbox(new SandboxCreateRequest { Name = "only" });
        c.CreateSandbox(new SandboxCreateRequest { Name = "second" });
        var e = c.Connect("pt", "only");
        Assert.Null(e.Mac);
        Assert.Equal(w.Net.Host.GetLink("lan0").Mac, c.GetSandbox("only").Netlink.GetLink("eth0").Mac);
        Assert.True(LanPing(w, "10.40.0.2"));

        var refused = Assert.Throws<PlexusException>(() => c.Connect("pt", "second"));
        Assert.Contains("cannot create the macvlan interface on parent lan0", refused.Message, StringComparison.Ordinal);
        Assert.Null(c.GetSandbox("second").Netlink.FindLink("eth0"));
        Assert.Single(c.Endpoints, x => x.NetworkId == e.NetworkId);
        // Once the parent is free again, the other sandbox takes it over.
        c.Disconnect("pt", "only");
        var next = c.Connect("pt", "second");
        Assert.True(LanPing(w, next.IPv4!.Value.Address.ToString()));
    }

    [PrivilegedFact]
    public void A_network_without_parent_is_internal_on_a_link_of_its_own_removed_with_it()
    {
        using var w = new EngineWorld();
        var c = w.Controller;
        var net = c.CreateNetwork(Macvlan("iso", "10.90.0.0/24", @internal: true));
        var dummy = ParentOption.DummyNameFor(net.Id);
        Assert.Equal(dummy, net.DriverState[ParentOption.Key]);
        var parent = w.Net.Host.GetLink(dummy);
        Assert.Equal("plexus:" + net.Id, parent.Alias);
        Assert.True(parent.IsUp);
        c.CreateSandbox(new SandboxCreateRequest { Name = "x" });
        c.CreateSandbox(new SandboxCreateRequest { Name = "y" });
        c.Connect("iso", "x");
        c.Connect("iso", "y");
        Assert.True(w.Ping("x", "10.90.0.3"));
        Assert.DoesNotContain(c.GetSandbox("x").Netlink.ListRoutes(4), r => r.IsDefault);
        c.Disconnect("iso", "x");
        c.Disconnect("iso", "y");
        c.DeleteNetwork("iso");
        Assert.DoesNotContain(w.HostLinks(), n => n.StartsWith("dm-", StringComparison.Ordinal) || n.StartsWith("dp-", StringComparison.Ordinal));
    }

    [PrivilegedFact]
    public void A_vlan_parent_is_created_on_demand_and_removed_with_the_last_network_on_it()
    {
        using var w = new EngineWorld();
        AddSegment(w, "10.20.0.1/24");
        var c = w.Controller;
        if (!w.Net.Host.HasLinkKind("vlan"))
        {
            // This kernel has no 802.1q driver: the error says so, and nothing is made or kept.
            var e = Assert.Throws<PlexusException>(() => c.CreateNetwork(Macvlan("v20", "10.20.0.0/24", parent: "lan0.20")));
            Assert.Contains("802.1q VLANs are not supported by this kernel", e.Message, StringComparison.Ordinal);
            Assert.Null(w.Net.Host.FindLink("lan0.20"));
            Assert.DoesNotContain(c.Networks, n => n.Name == "v20");
            return;
        }
        var first = c.CreateNetwork(Macvlan("v20", "10.20.0.0/24", parent: "lan0.20"));
        var vlan = w.Net.Host.GetLink("lan0.20");
        Assert.Equal("vlan", vlan.Kind);
        Assert.Equal(w.Net.Host.GetLink("lan0").Index, vlan.ParentIndex);
        Assert.Equal("plexus:" + first.Id, vlan.Alias);
        c.CreateNetwork(Macvlan("v20b", "10.21.0.0/24", parent: "lan0.20"));
        c.DeleteNetwork("v20");
        Assert.NotNull(w.Net.Host.FindLink("lan0.20")); // v20b still uses it
        c.DeleteNetwork("v20b");
        Assert.Null(w.Net.Host.FindLink("lan0.20"));
        Assert.NotNull(w.Net.Host.FindLink("lan0"));
    }

    [PrivilegedFact]
    public void Ipvlan_is_refused_clearly_where_the_kernel_has_no_ipvlan()
    {
        using var w = new EngineWorld();
        AddSegment(w, "10.30.0.1/24");
        var c = w.Controller;
        var request = Macvlan("ipv", "10.30.0.0/24", parent: "lan0", driver: IpvlanDriver.DriverName);
        if (!w.Net.Host.HasLinkKind("ipvlan"))
        {
            var e = Assert.Throws<PlexusException>(() => c.CreateNetwork(request));
            Assert.Contains("ipvlan is not supported by this kernel", e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(c.Networks, n => n.Name == "ipv");
            return;
        }
        c.CreateNetwork(request);
        c.CreateSandbox(new SandboxCreateRequest { Name = "a" });
        c.CreateSandbox(new SandboxCreateRequest { Name = "b" });
        c.Connect("ipv", "a");
        c.Connect("ipv", "b");
        Assert.Equal("ipvlan", c.GetSandbox("a").Netlink.GetLink("eth0").Kind);
        Assert.True(w.Ping("a", "10.30.0.3"));
        Assert.True(LanPing(w, "10.30.0.2"));
    }

    [PrivilegedFact]
    public void After_a_restart_macvlan_sandboxes_keep_working_and_a_lost_parent_of_plexus_is_rebuilt()
    {
        using var w = new EngineWorld();
        AddSegment(w, "192.168.60.1/24");
        var c = w.Controller;
        var lan = c.CreateNetwork(Macvlan("lan", "192.168.60.0/24", parent: "lan0"));
        var iso = c.CreateNetwork(Macvlan("iso", "10.91.0.0/24"));
        c.CreateSandbox(new SandboxCreateRequest { Name = "s1" });
        c.CreateSandbox(new SandboxCreateRequest { Name = "s2" });
        foreach (var s in new[] { "s1", "s2" })
        {
            c.Connect("lan", s);
            c.Connect("iso", s);
        }
        // The isolated network's parent disappears while the daemon is down (its children go with it).
        w.Net.Host.DeleteLink(ParentOption.DummyNameFor(iso.Id));

        c = w.Restart();
        Assert.Contains(w.LastRestoreLog, l => l.Contains("re-created interface eth1 of sandbox s1", StringComparison.Ordinal));
        Assert.DoesNotContain(w.LastRestoreLog, l => l.Contains("could not", StringComparison.Ordinal));
        Assert.Equal("plexus:" + iso.Id, w.Net.Host.GetLink(ParentOption.DummyNameFor(iso.Id)).Alias);
        Assert.True(w.Ping("s1", "10.91.0.3"));
        Assert.True(w.Ping("s1", "192.168.60.3"));
        Assert.True(LanPing(w, "192.168.60.2"));
        Assert.Equal(IPAddress.Parse("192.168.60.1"), Assert.Single(c.GetSandbox("s1").Netlink.ListRoutes(4), r => r.IsDefault).Gateway);
        Assert.Equal(2, c.Networks.Count(n => n.Id == lan.Id || n.Id == iso.Id));
    }
}
