using Plexus.Docker.Tests.Support;
using Plexus.Testing;

namespace Plexus.Docker.Tests;

/// <summary>
/// What Docker made through the plugin, as Plexus's own CLI shows it: the network (named docker-SHORTID) and the
/// container's sandbox (docker- and the last part of Docker's SandboxKey), both marked com.plexus.owner=docker,
/// and refused when a Plexus user tries to delete them, since Docker owns them and would not know.
/// </summary>
[Collection(NetworkingCollection.Name)]
[Trait("Category", "Privileged")]
public sealed class PlexusViewTests(DockerHostFixture fixture)
{
    [PrivilegedFact]
    public void Plexus_lists_Dockers_network_and_container_as_Dockers_and_refuses_to_delete_them()
    {
        var host = fixture.Host;
        using var s = new Scope(host);
        var net = s.Network("shown", "10.210.11.0/24");
        s.Web("shown-web", net);
        var address = s.AddressOf("shown-web", net);
        var network = "docker-" + host.CheckDocker("network", "inspect", "-f", "{{.Id}}", net)[..12];
        var sandbox = "docker-" + Path.GetFileName(host.CheckDocker("inspect", "-f", "{{.NetworkSettings.SandboxKey}}", "shown-web"));

        var networks = Check(host, "network", "ls", "--filter", "label=com.plexus.owner=docker", "--format", "{{.Name}} {{.Driver}}");
        Assert.Contains($"{network} bridge", networks.Split('\n', StringSplitOptions.TrimEntries));
        var inspect = Check(host, "network", "inspect", network);
        Assert.Contains("\"com.plexus.owner\": \"docker\"", inspect, StringComparison.Ordinal);
        Assert.Contains("10.210.11.0/24", inspect, StringComparison.Ordinal);
        Assert.Contains(address, inspect, StringComparison.Ordinal);

        var sandboxes = Check(host, "ps", "-a", "--filter", "label=com.plexus.owner=docker", "--format", "{{.Names}} {{.IP}}");
        Assert.Contains($"{sandbox} {address}", sandboxes.Split('\n', StringSplitOptions.TrimEntries));

        var removeNetwork = host.Plexus("network", "rm", network);
        Assert.False(removeNetwork.Ok, $"plexus network rm of Docker's network succeeded: {removeNetwork}");
        Assert.Contains("belongs to Docker", removeNetwork.Err, StringComparison.Ordinal);
        var removeSandbox = host.Plexus("rm", "-f", sandbox);
        Assert.False(removeSandbox.Ok, $"plexus rm of Docker's container succeeded: {removeSandbox}");
        Assert.Contains("Docker container", removeSandbox.Err, StringComparison.Ordinal);

        // Refused means untouched: Docker's container still serves on Docker's network.
        s.Sleeper("shown-client", net);
        Assert.True(s.Reaches("shown-client", address));
        Assert.Contains(network, Check(host, "network", "ls", "--format", "{{.Name}}"), StringComparison.Ordinal);
    }

    private static string Check(DockerHost host, params string[] args)
    {
        var r = host.Plexus(args);
        Assert.True(r.Ok, $"plexus {string.Join(' ', args)}: {r}");
        return r.Out;
    }
}
