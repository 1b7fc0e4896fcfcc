using System.Net;
using Plexus.Engine.Controller;
using Plexus.Engine.Ipam;
using Plexus.Engine.Model;
using Plexus.Engine.Tests.Support;
using Plexus.Testing;

namespace Plexus.Engine.Tests.Privileged;

[Trait("Category", "Privileged")]
public sealed class LinkTests
{
    [PrivilegedFact]
    public void A_link_puts_the_target_in_the_hosts_file_and_environment_and_follows_its_address()
    {
        using var w = new EngineWorld();
        var c = w.Controller;
        c.CreateNetwork(new NetworkCreateRequest { Name = "web", IpamConfigs = [new IpamRequest { Subnet = IPNetwork.Parse("10.60.0.0/24") }] });
        c.CreateSandbox(new SandboxCreateRequest { Name = "server" });
        c.Connect("web", "server", new EndpointCreateRequest { ExposedPorts = ["80/tcp", "53/udp"], IPv4Address = IPAddress.Parse("10.60.0.10") });
        c.CreateSandbox(new SandboxCreateRequest { Name = "client", Links = [new SandboxLink("server", "srv")] });
        c.Connect("web", "client");

        // What glibc programs see, by alias and by name.
        Assert.Contains("10.60.0.10", w.Exec("client", "getent", "hosts", "srv").Output, StringComparison.Ordinal);
        Assert.Contains("10.60.0.10", w.Exec("client", "getent", "hosts", "server").Output, StringComparison.Ordinal);
        var env = w.Exec("client", "env").Output;
        Assert.Contains("SRV_NAME=/client/srv", env, StringComparison.Ordinal);
        Assert.Contains("SRV_PORT=udp://10.60.0.10:53", env, StringComparison.Ordinal); // the lowest exposed port
        Assert.Contains("SRV_PORT_80_TCP=tcp://10.60.0.10:80", env, StringComparison.Ordinal);
        Assert.Contains("SRV_PORT_80_TCP_ADDR=10.60.0.10", env, StringComparison.Ordinal);
        Assert.Contains("SRV_PORT_80_TCP_PORT=80", env, StringComparison.Ordinal);
        Assert.Contains("SRV_PORT_80_TCP_PROTO=tcp", env, StringComparison.Ordinal);
        Assert.Contains("SRV_PORT_53_UDP_PROTO=udp", env, StringComparison.Ordinal);

        // The target comes back with another address: the linking sandbox's hosts entry follows.
        c.Disconnect("web", "server");
        c.Connect("web", "server", new EndpointCreateRequest { ExposedPorts = ["80/tcp"], IPv4Address = IPAddress.Parse("10.60.0.20") });
        var hosts = w.Exec("client", "getent", "hosts", "srv").Output;
        Assert.Contains("10.60.0.20", hosts, StringComparison.Ordinal);
        Assert.DoesNotContain("10.60.0.10", hosts, StringComparison.Ordinal);
        // A sandbox without the link does not see the alias.
        c.CreateSandbox(new SandboxCreateRequest { Name = "other" });
        c.Connect("web", "other");
        Assert.NotEqual(0, w.Exec("other", "getent", "hosts", "srv").ExitCode);
    }
}
