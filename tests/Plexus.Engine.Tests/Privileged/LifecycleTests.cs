using System.Net;
using Plexus.Engine.Controller;
using Plexus.Engine.Ipam;
using Plexus.Engine.Model;
using Plexus.Engine.Tests.Support;
using Plexus.Testing;

namespace Plexus.Engine.Tests.Privileged;

[Trait("Category", "Privileged")]
public sealed class LifecycleTests
{
    [PrivilegedFact]
    public void Networks_are_found_by_id_name_or_unique_prefix_and_names_are_unique()
    {
        using var w = new EngineWorld();
        var c = w.Controller;
        var net = c.CreateNetwork(new NetworkCreateRequest { Name = "web" });
        Assert.Equal(64, net.Id.Length);
        Assert.True(Ids.IsFullId(net.Id));
        Assert.Same(net, c.GetNetwork(net.Id));
        Assert.Same(net, c.GetNetwork("web"));
        Assert.Same(net, c.GetNetwork(net.Id[..5]));
        var missing = Assert.Throws<PlexusException>(() => c.GetNetwork("nope"));
        Assert.Equal(ErrorKind.NotFound, missing.Kind);
        Assert.Equal("network nope not found", missing.Message);

        var dup = Assert.Throws<PlexusException>(() => c.CreateNetwork(new NetworkCreateRequest { Name = "web" }));
        Assert.Equal(ErrorKind.Conflict, dup.Kind);
        Assert.Contains("network with name web already exists", dup.Message, StringComparison.Ordinal);
        // Docker takes any name that is not blank, spaces included; a blank one is refused.
        Assert.Same(c.CreateNetwork(new NetworkCreateRequest { Name = "my net" }), c.GetNetwork("my net"));
        var bad = Assert.Throws<PlexusException>(() => c.CreateNetwork(new NetworkCreateRequest { Name = "  " }));
        Assert.Equal(ErrorKind.InvalidArgument, bad.Kind);
        Assert.Equal("invalid name: name is empty", bad.Message);
        var driver = Assert.Throws<PlexusException>(() => c.CreateNetwork(new NetworkCreateRequest { Name = "x", Driver = "weave" }));
        Assert.Contains("network driver 'weave' is not available", driver.Message, StringComparison.Ordinal);
    }

    [PrivilegedFact]
    public async Task Two_concurrent_creates_of_one_name_yield_one_network_and_one_clear_error()
    {
        using var w = new EngineWorld();
        var c = w.Controller;
        using var start = new ManualResetEventSlim();
        var attempts = Enumerable.Range(0, 2).Select(_ => Task.Run(NetworkState? () =>
        {
            start.Wait();
            try
            {
                return c.CreateNetwork(new NetworkCreateRequest { Name = "same" });
            }
            catch (PlexusException e) when (e.Kind == ErrorKind.Conflict)
            {
                Assert.Contains("network with name same already exists", e.Message, StringComparison.Ordinal);
                return null;
            }
        })).ToArray();
        start.Set();
        var results = await Task.WhenAll(attempts);
        Assert.Single(results, r => r is not null);
        Assert.Single(c.Networks, n => n.Name == "same");
        Assert.Single(w.HostLinks(), l => l.StartsWith("plx-", StringComparison.Ordinal));
    }

    [PrivilegedFact]
    public async Task Joins_on_different_sandboxes_run_in_parallel_and_get_unique_addresses()
    {
        using var w = new EngineWorld();
        var c = w.Controller;
        c.CreateNetwork(new NetworkCreateRequest { Name = "web", IpamConfigs = [new IpamRequest { Subnet = IPNetwork.Parse("10.40.0.0/24") }] });
        for (int i = 0; i < 16; i++) c.CreateSandbox(new SandboxCreateRequest { Name = $"s{i}" });
        var endpoints = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(() => c.Connect("web", $"s{i}"))));
        Assert.Equal(16, endpoints.Select(e => e.IPv4).Distinct().Count());
        Assert.Equal(16, w.Net.Host.ListLinks().Count(l => l.Name.StartsWith("vpx", StringComparison.Ordinal)));
    }

    [PrivilegedFact]
    public void A_failed_join_rolls_back_its_kernel_changes_and_its_endpoint()
    {
        using var w = new EngineWorld();
        var c = w.Controller;
        c.CreateNetwork(new NetworkCreateRequest { Name = "web", IpamConfigs = [new IpamRequest { Subnet = IPNetwork.Parse("10.41.0.0/24") }] });
        var sandbox = c.CreateSandbox(new SandboxCreateRequest { Name = "s" });
        // Occupy eth0 inside the sandbox so the driver's veth cannot be created under that name.
        sandbox.Netlink.CreateLink(new Kernel.Rtnl.LinkKinds.BridgeSpec("eth0"));
        var linksBefore = w.HostLinks();
        var e = Assert.Throws<PlexusException>(() => c.Connect("web", "s"));
        Assert.Contains("join sandbox s to network web", e.Message, StringComparison.Ordinal);
        Assert.Contains("'eth0' exists in the peer's namespace", e.Message, StringComparison.Ordinal);
        Assert.Equal(linksBefore, w.HostLinks());
        Assert.Empty(c.Endpoints);
        // The address it had taken is free: the next endpoint gets .2.
        sandbox.Netlink.DeleteLink("eth0");
        Assert.Equal("10.41.0.2/24", c.Connect("web", "s").IPv4.ToString());
    }

    [PrivilegedFact]
    public void Null_and_host_networks_follow_docker_rules()
    {
        using var w = new EngineWorld();
        var c = w.Controller;
        c.CreateNetwork(new NetworkCreateRequest { Name = "none", Driver = "null" });
        c.CreateNetwork(new NetworkCreateRequest { Name = "host", Driver = "host" });
        c.CreateNetwork(new NetworkCreateRequest { Name = "web" });
        var second = Assert.Throws<PlexusException>(() => c.CreateNetwork(new NetworkCreateRequest { Name = "host2", Driver = "host" }));
        Assert.Contains("only one instance of \"host\" network is allowed", second.Message, StringComparison.Ordinal);

        c.CreateSandbox(new SandboxCreateRequest { Name = "lonely" });
        c.Connect("none", "lonely");
        Assert.Equal(["lo"], c.GetSandbox("lonely").Netlink.ListLinks().Select(l => l.Name));
        Assert.Throws<PlexusException>(() => c.Connect("web", "lonely"));

        c.CreateSandbox(new SandboxCreateRequest { Name = "hosty", Mode = SandboxNamespaceMode.Host });
        c.Connect("host", "hosty");
        Assert.Throws<PlexusException>(() => c.Connect("web", "hosty"));
        Assert.Throws<PlexusException>(() => c.Connect("host", "lonely"));
        c.DeleteSandbox("hosty");
        Assert.NotNull(w.Net.Host.FindLink("lo")); // the host namespace is untouched
    }
}
