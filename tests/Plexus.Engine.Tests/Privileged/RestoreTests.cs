using System.Net;
using Plexus.Engine.Controller;
using Plexus.Engine.Ipam;
using Plexus.Engine.Tests.Support;
using Plexus.Kernel.Rtnl.LinkKinds;
using Plexus.Testing;

namespace Plexus.Engine.Tests.Privileged;

[Trait("Category", "Privileged")]
public sealed class RestoreTests
{
    private static NetworkCreateRequest Bridge(string name, string subnet) =>
        new() { Name = name, IpamConfigs = [new IpamRequest { Subnet = IPNetwork.Parse(subnet) }] };

    [PrivilegedFact]
    public void A_restarted_controller_restores_its_objects_and_keeps_addresses_allocated()
    {
        using var w = new EngineWorld();
        var net = w.Controller.CreateNetwork(Bridge("web", "172.30.0.0/24"));
        w.Controller.CreateSandbox(new SandboxCreateRequest { Name = "s1" });
        var ep = w.Controller.Connect("web", "s1");

        var c = w.Restart();
        Assert.Empty(w.LastRestoreLog);
        Assert.Equal(net.Id, c.GetNetwork("web").Id);
        Assert.Equal(ep.IPv4, c.GetEndpoint("web", "s1").IPv4);
        Assert.True(w.Ping("s1", "172.30.0.1"));
        // The address is still taken: a new sandbox gets the next one, a request for it is refused.
        c.CreateSandbox(new SandboxCreateRequest { Name = "s2" });
        Assert.Equal("172.30.0.3/24", c.Connect("web", "s2").IPv4.ToString());
        c.CreateSandbox(new SandboxCreateRequest { Name = "s3" });
        Assert.Throws<Model.PlexusException>(() => c.Connect("web", "s3", new EndpointCreateRequest { IPv4Address = IPAddress.Parse("172.30.0.2") }));
    }

    [PrivilegedFact]
    public void Missing_kernel_objects_are_recreated_and_unclaimed_ones_removed()
    {
        using var w = new EngineWorld();
        var net = w.Controller.CreateNetwork(Bridge("web", "172.31.0.0/24"));
        w.Controller.CreateSandbox(new SandboxCreateRequest { Name = "s1" });
        var ep = w.Controller.Connect("web", "s1");
        var bridge = net.DriverState["bridge"];

        // While "the daemon is down": someone deletes the bridge (taking the veth's port with it) and the
        // veth, and leaves links of Plexus's naming that nothing claims.
        w.Controller.Dispose();
        w.Net.Host.DeleteLink("vpx" + ep.Id[..12]);
        w.Net.Host.DeleteLink(bridge);
        w.Net.Host.CreateLink(new VethSpec("vpxdeadbeef0001", "orphan-peer"));
        w.Net.Host.CreateLink(new BridgeSpec("plx-0123456789a"));
        // Marked as Plexus's, for a network the store does not know (an unmarked one is not Plexus's: BridgeOwnershipTests).
        w.Net.Host.SetLink(w.Net.Host.GetLink("plx-0123456789a").Index, new Kernel.Rtnl.LinkChanges { Alias = "plexus:" + Model.Ids.New() });

        var c = w.Restart();
        Assert.Contains(w.LastRestoreLog, l => l.Contains("re-created interface eth0 of sandbox s1", StringComparison.Ordinal));
        Assert.Contains(w.LastRestoreLog, l => l.Contains("vpxdeadbeef0001", StringComparison.Ordinal));
        Assert.Contains(w.LastRestoreLog, l => l.Contains("plx-0123456789a", StringComparison.Ordinal));
        Assert.Null(w.Net.Host.FindLink("vpxdeadbeef0001"));
        Assert.Null(w.Net.Host.FindLink("plx-0123456789a"));
        Assert.NotNull(w.Net.Host.FindLink(bridge));
        Assert.True(w.Ping("s1", "172.31.0.1"));
        Assert.Equal(System.Net.IPAddress.Parse("172.31.0.1"),
            Assert.Single(c.GetSandbox("s1").Netlink.ListRoutes(4), r => r.IsDefault).Gateway);
    }

    [PrivilegedFact]
    public void A_sandbox_whose_namespace_is_gone_is_cleaned_up_with_its_endpoints()
    {
        using var w = new EngineWorld();
        w.Controller.CreateNetwork(Bridge("web", "172.29.0.0/24"));
        w.Controller.CreateSandbox(new SandboxCreateRequest { Name = "gone" });
        var ep = w.Controller.Connect("web", "gone");
        var id = w.Controller.GetSandbox("gone").Id;
        w.Controller.Dispose();
        new Kernel.Namespaces.NamespaceDirectory(w.Options.NamespaceDirectory).Delete(id);

        var c = w.Restart();
        Assert.Contains(w.LastRestoreLog, l => l.Contains("removed sandbox gone", StringComparison.Ordinal));
        Assert.Empty(c.Sandboxes);
        Assert.Empty(c.Endpoints);
        Assert.Null(w.Net.Host.FindLink("vpx" + ep.Id[..12]));
        // Its address is free again.
        c.CreateSandbox(new SandboxCreateRequest { Name = "new" });
        Assert.Equal(ep.IPv4, c.Connect("web", "new").IPv4);
    }
}
