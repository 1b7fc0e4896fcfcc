using Plexus.Docker.Tests.Support;
using Plexus.Testing;

namespace Plexus.Docker.Tests;

/// <summary>
/// What a container's life leaves in the docker host: `docker stop`, `start` and `rm` take back the veth, the
/// address and the firewall elements they were given, as `ip -o link`, `nft list table inet plexus` and
/// plexusd's API show them.
/// </summary>
[Collection(NetworkingCollection.Name)]
[Trait("Category", "Privileged")]
public sealed class LifecycleTests(DockerHostFixture fixture)
{
    [PrivilegedFact]
    public void Stop_start_and_rm_leave_no_veth_address_or_firewall_element()
    {
        var host = fixture.Host;
        using var s = new Scope(host);
        var net = s.Network("cycle", "10.210.9.0/24");
        var links = host.Links();
        var rules = host.PlexusRules();
        Assert.NotEmpty(rules);

        s.Web("cycle-web", net, "-p", "8090:80");
        string url = $"http://{DockerHost.Address}:8090/";
        Assert.True(Eventually.True(() => host.Outside.Curl(url).Out.Contains(BusyboxImage.Page, StringComparison.Ordinal), 15), host.Outside.Curl(url).ToString());
        Assert.Equal(links.Length + 1, host.Links().Length);
        Assert.NotEqual(rules, host.PlexusRules());
        var address = s.AddressOf("cycle-web", net);
        var plexusNetwork = "docker-" + host.CheckDocker("network", "inspect", "-f", "{{.Id}}", net)[..12];
        Assert.Contains($"\"{address}/24\"", PlexusView(host, plexusNetwork), StringComparison.Ordinal);

        host.CheckDocker("stop", "-t", "1", "cycle-web");
        AssertAsBefore(host, links, rules, plexusNetwork, address, "docker stop");

        host.CheckDocker("start", "cycle-web");
        Assert.True(Eventually.True(() => host.Outside.Curl(url).Out.Contains(BusyboxImage.Page, StringComparison.Ordinal), 15), $"after docker start: {host.Outside.Curl(url)}");

        host.CheckDocker("rm", "-f", "cycle-web");
        AssertAsBefore(host, links, rules, plexusNetwork, address, "docker rm");

        // The address went back to the pool: a new container may have it.
        s.Sleeper("cycle-heir", net, "--ip", address);
        Assert.Equal(address, s.AddressOf("cycle-heir", net));
    }

    private static void AssertAsBefore(DockerHost host, string[] links, string[] rules, string plexusNetwork, string address, string after)
    {
        Assert.True(Eventually.True(() => host.Links().SequenceEqual(links), 15),
            $"after {after} the host's links are [{string.Join(' ', host.Links())}], before the container [{string.Join(' ', links)}]");
        Assert.True(Eventually.True(() => host.PlexusRules().SequenceEqual(rules), 15),
            $"after {after}, Plexus's table against before the container: {DockerHost.RulesDiff(rules, host.PlexusRules())}");
        // No endpoint holds the address any more, as `plexus network inspect` shows Docker's network.
        Assert.DoesNotContain($"\"{address}/24\"", PlexusView(host, plexusNetwork), StringComparison.Ordinal);
    }

    private static string PlexusView(DockerHost host, string network)
    {
        var r = host.Plexus("network", "inspect", network);
        Assert.True(r.Ok, $"plexus network inspect {network}: {r}");
        return r.Out;
    }

    /// <summary>Plexus's table without counters (traffic changes them, not the container's life).</summary>
}
