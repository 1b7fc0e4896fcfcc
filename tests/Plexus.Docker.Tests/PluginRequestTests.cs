using Plexus.Docker.Tests.Support;
using Plexus.Testing;

namespace Plexus.Docker.Tests;

/// <summary>
/// Requests dockerd would never send, posted to the plugin socket where dockerd finds it: each gets an error that
/// names the problem, and plexusd keeps serving Docker afterwards. (The protocol itself is tested without dockerd
/// in Plexus.Daemon.Tests/Plugin.)
/// </summary>
[Collection(NetworkingCollection.Name)]
[Trait("Category", "Privileged")]
public sealed class PluginRequestTests(DockerHostFixture fixture)
{
    [PrivilegedFact]
    public void Bad_requests_on_the_plugin_socket_get_errors_and_docker_keeps_working()
    {
        var host = fixture.Host;
        using var s = new Scope(host);
        var net = s.Network("sturdy", "10.210.10.0/24");

        var malformed = UnixHttp.Send(host.PluginSocketFromHere, HttpMethod.Post, "/NetworkDriver.CreateEndpoint", "{\"NetworkID\": ");
        Assert.True(malformed.Status >= 400, $"malformed JSON answered {malformed.Status}: {malformed.Body}");
        Assert.Contains("\"Err\"", malformed.Body, StringComparison.Ordinal);

        var unknown = UnixHttp.Send(host.PluginSocketFromHere, HttpMethod.Post, "/NetworkDriver.CreateEndpoint",
            "{\"NetworkID\":\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\",\"EndpointID\":\"fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210\",\"Interface\":{},\"Options\":{}}");
        Assert.True(unknown.Status >= 400, $"an unknown network answered {unknown.Status}: {unknown.Body}");
        Assert.Contains("0123456789ab", unknown.Body, StringComparison.Ordinal);

        // An address outside its pool, asked of the IPAM driver as dockerd would ask it (docker run --ip is checked
        // against the subnet by dockerd itself before any plugin hears of it).
        var space = Field(UnixHttp.Send(host.PluginSocketFromHere, HttpMethod.Post, "/IpamDriver.GetDefaultAddressSpaces", "{}").Body, "LocalDefaultAddressSpace");
        var pool = UnixHttp.Send(host.PluginSocketFromHere, HttpMethod.Post, "/IpamDriver.RequestPool",
            $"{{\"AddressSpace\":\"{space}\",\"Pool\":\"10.212.0.0/24\",\"SubPool\":\"\",\"Options\":{{}},\"V6\":false}}");
        Assert.True(pool.Status == 200, $"RequestPool: {pool.Status} {pool.Body}");
        var poolId = Field(pool.Body, "PoolID");
        try
        {
            var outside = UnixHttp.Send(host.PluginSocketFromHere, HttpMethod.Post, "/IpamDriver.RequestAddress",
                $"{{\"PoolID\":\"{poolId}\",\"Address\":\"10.213.0.5\",\"Options\":{{}}}}");
            Assert.True(outside.Status >= 400, $"an address outside the pool answered {outside.Status}: {outside.Body}");
            Assert.Contains("\"Error\"", outside.Body, StringComparison.Ordinal);
            Assert.Contains("10.213.0.5", outside.Body, StringComparison.Ordinal);
        }
        finally
        {
            UnixHttp.Send(host.PluginSocketFromHere, HttpMethod.Post, "/IpamDriver.ReleasePool", $"{{\"PoolID\":\"{poolId}\"}}");
        }

        Assert.True(host.Plexusd!.Running, host.Failure("plexusd exited after bad plugin requests"));
        s.Web("sturdy-web", net);
        s.Sleeper("sturdy-client", net);
        Assert.True(s.Reaches("sturdy-client", s.AddressOf("sturdy-web", net)));
    }

    private static string Field(string json, string name)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        return doc.RootElement.GetProperty(name).GetString() ?? throw new InvalidOperationException($"{name} is null in {json}");
    }
}
