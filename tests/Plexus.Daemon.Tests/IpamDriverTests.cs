using System.Text.Json;
using Plexus.Api;
using Plexus.Testing;

namespace Plexus.Daemon.Tests;

/// <summary>`--ipam-driver` through the docker client and Plexus's own CLI: null gives a network without addresses; an unknown name is refused.</summary>
[Trait("Category", "Privileged")]
public sealed class IpamDriverTests
{
    [PrivilegedFact]
    public void Docker_network_create_with_the_null_IPAM_driver_gives_no_subnet_and_endpoints_no_address()
    {
        using var w = new DaemonWorld();
        w.Start();

        var create = w.Docker("network", "create", "--ipam-driver", "null", "bare");
        Assert.True(create.ExitCode == 0, create.Output);
        var net = JsonDocument.Parse(w.Docker("network", "inspect", "bare").Output).RootElement[0];
        var ipam = net.GetProperty("IPAM");
        Assert.Equal("null", ipam.GetProperty("Driver").GetString());
        Assert.Equal(0, ipam.GetProperty("Config").GetArrayLength());

        using (var made = w.Post("plexus/sandboxes", new SandboxCreateJson { Name = "c1" }, DaemonJson.Default.SandboxCreateJson))
            Assert.True(made.IsSuccessStatusCode, made.Content.ReadAsStringAsync().Result);
        var connect = w.Docker("network", "connect", "bare", "c1");
        Assert.True(connect.ExitCode == 0, connect.Output);
        Assert.Equal("", w.Docker("inspect", "-f", "{{ (index .NetworkSettings.Networks \"bare\").IPAddress }}", "c1").Output.Trim());
        var addresses = w.Exec("c1", "ip", "-4", "-o", "addr", "show", "eth0");
        Assert.Equal(0, addresses.ExitCode);
        Assert.DoesNotContain("inet ", addresses.Output, StringComparison.Ordinal);

        Assert.Equal(0, w.Docker("network", "disconnect", "bare", "c1").ExitCode);
        var rm = w.Docker("network", "rm", "bare");
        Assert.True(rm.ExitCode == 0, rm.Output);

        var withSubnet = w.Docker("network", "create", "--ipam-driver", "null", "--subnet", "10.77.0.0/24", "bare2");
        Assert.NotEqual(0, withSubnet.ExitCode);
        Assert.Contains("the null IPAM driver assigns no addresses", withSubnet.Output, StringComparison.Ordinal);

        var unknown = w.Docker("network", "create", "--ipam-driver", "infoblox", "other");
        Assert.NotEqual(0, unknown.ExitCode);
        Assert.Contains("IPAM driver 'infoblox' is not available (available: default, null)", unknown.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("other", w.Docker("network", "ls", "--format", "{{.Name}}").Output, StringComparison.Ordinal);
    }

    [PrivilegedFact]
    public void Plexus_network_create_takes_the_IPAM_driver_and_its_options()
    {
        using var w = new DaemonWorld();
        w.Start();

        var bare = Plexus(w, "network", "create", "--ipam-driver", "null", "bare");
        Assert.True(bare.ExitCode == 0, bare.Output);
        var inspect = JsonDocument.Parse(w.Docker("network", "inspect", "bare").Output).RootElement[0].GetProperty("IPAM");
        Assert.Equal("null", inspect.GetProperty("Driver").GetString());
        Assert.Equal(0, inspect.GetProperty("Config").GetArrayLength());

        // --ipam-opt reaches the default driver: serial allocation hands out .3 after .2 was released.
        var serial = Plexus(w, "network", "create", "--ipam-driver", "default", "--ipam-opt", "com.docker.network.ipam.serial=true",
            "--subnet", "10.78.0.0/24", "web");
        Assert.True(serial.ExitCode == 0, serial.Output);
        foreach (var name in new[] { "c1", "c2" })
            using (var made = w.Post("plexus/sandboxes", new SandboxCreateJson { Name = name }, DaemonJson.Default.SandboxCreateJson))
                Assert.True(made.IsSuccessStatusCode, made.Content.ReadAsStringAsync().Result);
        Assert.Equal(0, w.Docker("network", "connect", "web", "c1").ExitCode);
        Assert.Equal(0, w.Docker("network", "disconnect", "web", "c1").ExitCode);
        Assert.Equal(0, w.Docker("network", "connect", "web", "c2").ExitCode);
        Assert.Equal("10.78.0.3", w.Docker("inspect", "-f", "{{ (index .NetworkSettings.Networks \"web\").IPAddress }}", "c2").Output.Trim());

        var unknown = Plexus(w, "network", "create", "--ipam-driver", "infoblox", "other");
        Assert.NotEqual(0, unknown.ExitCode);
        Assert.Contains("IPAM driver 'infoblox' is not available (available: default, null)", unknown.Output, StringComparison.Ordinal);
    }

    private static (int ExitCode, string Output) Plexus(DaemonWorld w, params string[] args) =>
        Processes.Run(RepositoryPaths.JitCli, ["-H", "unix://" + w.Socket, .. args], 60_000);
}
