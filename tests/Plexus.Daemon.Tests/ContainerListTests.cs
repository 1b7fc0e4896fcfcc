using Plexus.Api;
using Plexus.Testing;

namespace Plexus.Daemon.Tests;

[Trait("Category", "Privileged")]
public sealed class ContainerListTests
{
    [PrivilegedFact]
    public void Docker_ps_filters_by_label_and_lists_published_and_exposed_ports()
    {
        using var w = new DaemonWorld();
        w.Start();
        Assert.Equal(0, w.Docker("network", "create", "--subnet", "10.79.0.0/24", "web").ExitCode);
        using (var r = w.Post("plexus/sandboxes", new SandboxCreateJson
        {
            Name = "front", Network = "web", Labels = new() { ["role"] = "web" }, Publish = ["8080:80"], Expose = ["9000/udp"],
        }, DaemonJson.Default.SandboxCreateJson))
            Assert.True(r.IsSuccessStatusCode, r.Content.ReadAsStringAsync().Result);
        using (var r = w.Post("plexus/sandboxes", new SandboxCreateJson { Name = "back", Labels = new() { ["role"] = "db" } }, DaemonJson.Default.SandboxCreateJson))
            Assert.True(r.IsSuccessStatusCode);

        var web = w.Docker("ps", "--filter", "label=role=web", "--format", "{{.Names}}");
        Assert.Equal("front", web.Output.Trim());
        var any = w.Docker("ps", "--filter", "label=role", "--format", "{{.Names}}").Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["back", "front"], any.Order());
        var ports = w.Docker("ps", "--filter", "name=front", "--format", "{{.Ports}}").Output;
        Assert.Contains("0.0.0.0:8080->80/tcp", ports, StringComparison.Ordinal);
        Assert.Contains("9000/udp", ports, StringComparison.Ordinal);
    }
}
