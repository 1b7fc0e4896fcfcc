using Plexus.Docker.Tests.Support;
using Plexus.Testing;

namespace Plexus.Docker.Tests;

/// <summary>
/// `docker run -p 8080:80` on a plexus network: Docker hands the ports to the driver
/// (ProgramExternalConnectivity) and Plexus's firewall publishes them, for every way a user reaches a port,
/// with no docker-proxy process.
/// </summary>
[Collection(NetworkingCollection.Name)]
[Trait("Category", "Privileged")]
public sealed class PublishedPortTests(DockerHostFixture fixture)
{
    [PrivilegedFact]
    public void A_published_port_is_reachable_from_outside_the_host_loopback_and_by_hairpin_without_docker_proxy()
    {
        var host = fixture.Host;
        using var s = new Scope(host);
        var net = s.Network("published", "10.210.3.0/24");
        s.Web("published-web", net, "-p", "8080:80");
        s.Sleeper("published-client", net);
        string url = $"http://{DockerHost.Address}:8080/";

        Assert.True(Eventually.True(() => host.Outside.Curl(url).Out.Contains(BusyboxImage.Page, StringComparison.Ordinal), 15),
            $"from the outside world: {host.Outside.Curl(url)}");
        Assert.Contains(BusyboxImage.Page, host.In("curl", "-sS", "--max-time", "5", url).Text, StringComparison.Ordinal);
        Assert.Contains(BusyboxImage.Page, host.In("curl", "-sS", "--max-time", "5", "http://127.0.0.1:8080/").Text, StringComparison.Ordinal);
        // Hairpin: a container of the network, and the server itself, through the host's address.
        Assert.True(s.Reaches("published-client", DockerHost.Address, 8080), $"hairpin from another container: {s.Http("published-client", DockerHost.Address, 8080)}");
        Assert.True(s.Reaches("published-web", DockerHost.Address, 8080), $"hairpin to itself: {s.Http("published-web", DockerHost.Address, 8080)}");

        Assert.DoesNotContain(host.ProcessCommandLines(), c => c.Contains("docker-proxy", StringComparison.Ordinal));
        // (`docker port` stays empty: dockerd reads published ports back only as its own bridge driver's in-process
        // types, never from a remote driver's EndpointOperInfo JSON, whatever the plugin answers.)

        // Removed with the container: the port answers no more.
        host.CheckDocker("rm", "-f", "published-web");
        Assert.False(host.Outside.Curl(url).Out.Contains(BusyboxImage.Page, StringComparison.Ordinal), "the port still answered after docker rm");
    }
}
