using System.Text.Json;
using Plexus.Api;
using Plexus.Testing;

namespace Plexus.Daemon.Tests;

/// <summary>The real docker client as a client of plexusd's API, command by command.</summary>
[Trait("Category", "Privileged")]
public sealed class DockerCliTests
{
    [PrivilegedFact]
    public void Docker_network_commands_work_against_plexusd()
    {
        using var w = new DaemonWorld();
        w.Start();

        var ls = w.Docker("network", "ls", "--format", "{{.Name}} {{.Driver}}");
        Assert.True(ls.ExitCode == 0, ls.Output);
        Assert.Contains("bridge bridge", ls.Output, StringComparison.Ordinal);
        Assert.Contains("host host", ls.Output, StringComparison.Ordinal);
        Assert.Contains("none null", ls.Output, StringComparison.Ordinal);

        var create = w.Docker("network", "create", "--subnet", "172.28.0.0/16", "--gateway", "172.28.0.1", "--ip-range", "172.28.5.0/24",
            "--internal", "--ipv6", "--subnet", "fd00:28::/64", "-o", "com.docker.network.bridge.enable_icc=false", "web");
        Assert.True(create.ExitCode == 0, create.Output);
        var id = create.Output.Trim();
        Assert.Equal(64, id.Length);

        var inspect = w.Docker("network", "inspect", "web");
        Assert.True(inspect.ExitCode == 0, inspect.Output);
        var net = JsonDocument.Parse(inspect.Output).RootElement[0];
        Assert.Equal(id, net.GetProperty("Id").GetString());
        Assert.True(net.GetProperty("Internal").GetBoolean());
        Assert.True(net.GetProperty("EnableIPv6").GetBoolean());
        Assert.Equal("false", net.GetProperty("Options").GetProperty("com.docker.network.bridge.enable_icc").GetString());
        var config = net.GetProperty("IPAM").GetProperty("Config");
        Assert.Equal("172.28.0.0/16", config[0].GetProperty("Subnet").GetString());
        Assert.Equal("172.28.5.0/24", config[0].GetProperty("IPRange").GetString());
        Assert.Equal("172.28.0.1", config[0].GetProperty("Gateway").GetString());
        Assert.Equal("fd00:28::/64", config[1].GetProperty("Subnet").GetString());

        // A sandbox made through Plexus's API, then wired with docker network connect --ip --alias.
        using (var made = w.Post("plexus/sandboxes", new SandboxCreateJson { Name = "c1" }, DaemonJson.Default.SandboxCreateJson))
            Assert.True(made.IsSuccessStatusCode, made.Content.ReadAsStringAsync().Result);
        var connect = w.Docker("network", "connect", "--ip", "172.28.5.77", "--alias", "api", "web", "c1");
        Assert.True(connect.ExitCode == 0, connect.Output);
        var ip = w.Docker("inspect", "-f", "{{ (index .NetworkSettings.Networks \"web\").IPAddress }} {{ (index .NetworkSettings.Networks \"web\").Aliases }}", "c1");
        Assert.Equal("172.28.5.77 [api]", ip.Output.Trim());
        Assert.Contains("172.28.5.77", w.Exec("c1", "ip", "-4", "-o", "addr", "show", "eth0").Output, StringComparison.Ordinal);
        Assert.Equal("[]", w.Docker("inspect", "-f", "{{ .HostConfig.Links }}", "c1").Output.Trim());

        var busy = w.Docker("network", "rm", "web");
        Assert.NotEqual(0, busy.ExitCode);
        Assert.Contains("has active endpoints (c1)", busy.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("{\"message\"", busy.Output, StringComparison.Ordinal);

        Assert.Equal(0, w.Docker("network", "disconnect", "web", "c1").ExitCode);
        Assert.DoesNotContain("eth0@", w.Exec("c1", "ip", "-o", "link").Output, StringComparison.Ordinal);

        Assert.Equal(0, w.Docker("network", "create", "unused").ExitCode);
        var prune = w.Docker("network", "prune", "-f");
        Assert.True(prune.ExitCode == 0, prune.Output);
        Assert.Contains("unused", prune.Output, StringComparison.Ordinal);
        Assert.Contains("web", prune.Output, StringComparison.Ordinal);
        var after = w.Docker("network", "ls", "--format", "{{.Name}}").Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["bridge", "host", "none"], after.Order());

        var missing = w.Docker("network", "inspect", "nope");
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("network nope not found", missing.Output, StringComparison.Ordinal);
        var predefined = w.Docker("network", "rm", "bridge");
        Assert.Contains("bridge is a pre-defined network and cannot be removed", predefined.Output, StringComparison.Ordinal);
    }
}
