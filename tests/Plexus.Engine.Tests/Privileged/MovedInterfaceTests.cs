using System.Net;
using Plexus.Engine.Controller;
using Plexus.Engine.Ipam;
using Plexus.Engine.Model;
using Plexus.Engine.Tests.Drivers;
using Plexus.Engine.Tests.Support;
using Plexus.Testing;

namespace Plexus.Engine.Tests.Privileged;

/// <summary>
/// The join path of drivers that make the endpoint's interface on the host (a Docker remote driver): the
/// controller moves it into the sandbox under the endpoint's name, configures it, records what the join
/// returned on the endpoint, and moves it back for the driver on leave.
/// </summary>
[Trait("Category", "Privileged")]
public sealed class MovedInterfaceTests
{
    private static NetworkCreateRequest HostSide(string name) => new()
    {
        Name = name,
        Driver = HostSideDriver.DriverName,
        IpamConfigs = [new IpamRequest { Subnet = IPNetwork.Parse("10.77.0.0/24") }],
    };

    [PrivilegedFact]
    public void An_interface_made_on_the_host_is_moved_into_the_sandbox_renamed_configured_and_moved_back_on_leave()
    {
        HostSideDriver? driver = null;
        using var w = new EngineWorld(extraDrivers: n => [driver = new HostSideDriver(n.Host)]);
        var c = w.Controller;
        c.CreateNetwork(HostSide("remote"));
        c.CreateSandbox(new SandboxCreateRequest { Name = "a" });
        var e = c.Connect("remote", "a");
        var source = HostSideDriver.SourceNameOf(e);

        // Recorded on the endpoint, once: what the driver's join returned.
        Assert.Equal(IPAddress.Parse("10.77.0.1"), e.Joined!.GatewayV4);
        Assert.True(e.Joined.DisableGatewayService);
        Assert.Equal(source, e.Joined.SourceInterface);
        Assert.Equal(e.Joined, c.EndpointsOf(c.GetSandbox("a")).Single().Joined);

        // The host no longer has it (only its peer); the sandbox has it as eth0, up, addressed, with both routes through it.
        Assert.DoesNotContain(source, w.HostLinks());
        Assert.Contains(HostSideDriver.PeerNameOf(e), w.HostLinks());
        var (code, links) = w.Exec("a", "ip", "-o", "-4", "addr", "show", "dev", "eth0");
        Assert.Equal(0, code);
        Assert.Contains("10.77.0.2/24", links, StringComparison.Ordinal);
        var (_, kind) = w.Exec("a", "ip", "-d", "link", "show", "eth0");
        Assert.Contains("veth", kind, StringComparison.Ordinal);
        Assert.Contains("UP", kind, StringComparison.Ordinal);
        var (_, routes) = w.Exec("a", "ip", "-4", "route");
        Assert.Contains("default via 10.77.0.1 dev eth0", routes, StringComparison.Ordinal);
        Assert.Contains("198.51.100.0/24 via 10.77.0.1 dev eth0", routes, StringComparison.Ordinal);

        // Leave: back on the host under its source name for the driver, which removes it; nothing is left anywhere.
        c.Disconnect("remote", "a");
        Assert.DoesNotContain(source, w.HostLinks());
        Assert.DoesNotContain(HostSideDriver.PeerNameOf(e), w.HostLinks());
        var (_, after) = w.Exec("a", "ip", "-o", "link");
        Assert.DoesNotContain("eth0", after, StringComparison.Ordinal);
        Assert.NotNull(driver);
    }

    [PrivilegedFact]
    public void A_driver_naming_an_interface_that_does_not_exist_fails_the_join_clearly_and_leaves_nothing()
    {
        using var w = new EngineWorld(extraDrivers: n => [new HostSideDriver(n.Host) { MissingInterface = true }]);
        var c = w.Controller;
        c.CreateNetwork(HostSide("remote"));
        c.CreateSandbox(new SandboxCreateRequest { Name = "a" });
        var error = Assert.Throws<PlexusException>(() => c.Connect("remote", "a"));
        Assert.Contains("network driver returned interface 'hs-missing', which does not exist on the host", error.Message, StringComparison.Ordinal);
        Assert.Empty(c.EndpointsOf(c.GetSandbox("a")));
        Assert.Empty(c.EndpointsOf(c.GetNetwork("remote")));
        // Its address went back: the next endpoint gets the first one again.
        var e = c.CreateEndpoint("remote", new EndpointCreateRequest { Name = "x" });
        Assert.Equal("10.77.0.2/24", e.IPv4.ToString());
    }

    [PrivilegedFact]
    public void The_recorded_gateway_survives_a_restart_and_still_routes()
    {
        using var w = new EngineWorld(extraDrivers: n => [new HostSideDriver(n.Host)]);
        w.Controller.CreateNetwork(HostSide("remote"));
        w.Controller.CreateSandbox(new SandboxCreateRequest { Name = "a" });
        var before = w.Controller.Connect("remote", "a");
        var c = w.Restart();
        var after = c.EndpointsOf(c.GetSandbox("a")).Single();
        Assert.Equal(before.Joined!.GatewayV4, after.Joined!.GatewayV4);
        Assert.Equal(before.Joined.SourceInterface, after.Joined.SourceInterface);
        var (_, routes) = w.Exec("a", "ip", "-4", "route");
        Assert.Contains("default via 10.77.0.1 dev eth0", routes, StringComparison.Ordinal);
        c.Disconnect("remote", "a");
        Assert.DoesNotContain(HostSideDriver.SourceNameOf(before), w.HostLinks());
    }
}
