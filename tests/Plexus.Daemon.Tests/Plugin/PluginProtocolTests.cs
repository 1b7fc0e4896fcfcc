using System.Diagnostics;
using Plexus.Testing;
using static Plexus.Daemon.Tests.Plugin.DockerSimulation;

namespace Plexus.Daemon.Tests.Plugin;

/// <summary>One plexusd for the class: the plugin protocol's tests share it, each on subnets of its own.</summary>
public sealed class PluginDaemon : IDisposable
{
    public PluginDaemon()
    {
        if (PrivateNamespace.Reason is not null) return;
        World = new DaemonWorld();
        World.Start();
    }

    public DaemonWorld? World { get; }

    public void Dispose() => World?.Dispose();
}

/// <summary>
/// Docker's remote network and IPAM driver protocol on plexusd's plugin socket, driven as dockerd drives it
/// (<see cref="DockerSimulation"/>): what Docker gets back, and what the kernel then holds.
/// </summary>
[Trait("Category", "Privileged")]
public sealed class PluginProtocolTests(PluginDaemon daemon) : IClassFixture<PluginDaemon>
{
    private DaemonWorld W => daemon.World!;

    [PrivilegedFact]
    public void Activate_lists_both_drivers_and_the_capabilities_are_local_without_replay()
    {
        using var plugin = new PluginClient(W.PluginSocket);
        var implements = plugin.Ok("Plugin.Activate", "").GetProperty("Implements").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Equal(["NetworkDriver", "IpamDriver"], implements);
        Assert.Equal("local", plugin.Ok("NetworkDriver.GetCapabilities", "null").GetProperty("Scope").GetString());
        Assert.False(plugin.Ok("IpamDriver.GetCapabilities", "null").GetProperty("RequiresRequestReplay").GetBoolean());
        Assert.Equal("LocalDefault", plugin.Ok("IpamDriver.GetDefaultAddressSpaces", "null").GetProperty("LocalDefaultAddressSpace").GetString());
        // The API socket does not serve the plugin, nor the plugin socket the API.
        using var api = W.Http.PostAsync("/Plugin.Activate", null).Result;
        Assert.Equal(404, (int)api.StatusCode);
    }

    [PrivilegedFact]
    public void Ipam_hands_out_the_gateway_then_the_next_address_and_refuses_overlaps_strangers_and_doubles()
    {
        using var plugin = new PluginClient(W.PluginSocket);
        var pool = plugin.Ok("IpamDriver.RequestPool", """{"AddressSpace":"LocalDefault","Pool":"10.61.0.0/24","Options":{},"V6":false}""");
        var id = pool.GetProperty("PoolID").GetString()!;
        Assert.Equal("10.61.0.0/24", pool.GetProperty("Pool").GetString());
        Assert.Contains("overlaps", plugin.Fails("IpamDriver.RequestPool", """{"AddressSpace":"LocalDefault","Pool":"10.61.0.0/25","Options":{},"V6":false}"""), StringComparison.Ordinal);
        // Plexus's own networks draw from the same IPAM: the subnet is taken for them too.
        using (var taken = W.Http.PostAsync("networks/create", new StringContent("""{"Name":"mine","IPAM":{"Config":[{"Subnet":"10.61.0.0/24"}]}}""", System.Text.Encoding.UTF8, "application/json")).Result)
            Assert.Equal(409, (int)taken.StatusCode);

        string Address(string json) => plugin.Ok("IpamDriver.RequestAddress", json).GetProperty("Address").GetString()!;
        Assert.Equal("10.61.0.1/24", Address($$"""{"PoolID":"{{id}}","Address":"","Options":{"RequestAddressType":"com.docker.network.gateway"} }"""));
        Assert.Equal("10.61.0.2/24", Address($$"""{"PoolID":"{{id}}","Address":"","Options":{} }"""));
        Assert.Equal("10.61.0.50/24", Address($$"""{"PoolID":"{{id}}","Address":"10.61.0.50","Options":{} }"""));
        Assert.Contains("10.61.0.50", plugin.Fails("IpamDriver.RequestAddress", $$"""{"PoolID":"{{id}}","Address":"10.61.0.50","Options":{} }"""), StringComparison.Ordinal);
        Assert.Contains("outside", plugin.Fails("IpamDriver.RequestAddress", $$"""{"PoolID":"{{id}}","Address":"10.62.0.5","Options":{} }"""), StringComparison.Ordinal);
        Assert.Contains("not known", plugin.Fails("IpamDriver.RequestAddress", """{"PoolID":"plexus/192.0.2.0/24","Address":"","Options":{} }"""), StringComparison.Ordinal);
        plugin.Ok("IpamDriver.ReleaseAddress", $$"""{"PoolID":"{{id}}","Address":"10.61.0.2"}""");
        Assert.Equal("10.61.0.2/24", Address($$"""{"PoolID":"{{id}}","Address":"","Options":{} }"""));
        plugin.Ok("IpamDriver.ReleasePool", $$"""{"PoolID":"{{id}}"}""");
        plugin.Ok("IpamDriver.ReleasePool", $$"""{"PoolID":"{{id}}"}"""); // twice: no error
        // Released: the subnet is free for Plexus's own networks again.
        using var mine = W.Http.PostAsync("networks/create", new StringContent("""{"Name":"mine-61","IPAM":{"Config":[{"Subnet":"10.61.0.0/24"}]}}""", System.Text.Encoding.UTF8, "application/json")).Result;
        Assert.Equal(201, (int)mine.StatusCode);
        using var removed = W.Http.DeleteAsync("networks/mine-61").Result;
        Assert.True(removed.IsSuccessStatusCode);
    }

    [PrivilegedFact]
    public void A_subnet_from_Dockers_own_IPAM_is_kept_off_limits_for_Plexus_networks_while_the_network_lives()
    {
        using var plugin = new PluginClient(W.PluginSocket);
        var id = NewId('a');
        // `docker network create -d plexus` without --ipam-driver: Docker's IPAM chose the subnet; Plexus's never saw it.
        plugin.Ok("NetworkDriver.CreateNetwork", $$"""
            {"NetworkID":"{{id}}","Options":{"com.docker.network.enable_ipv6":false,"com.docker.network.generic":{} },
             "IPv4Data":[{"AddressSpace":"LocalDefault","Pool":"172.29.0.0/16","Gateway":"172.29.0.1/16"}],"IPv6Data":[]}
            """);
        Assert.Contains("\"Driver\":\"docker\"", W.Http.GetStringAsync($"networks/{id}").Result, StringComparison.Ordinal);
        HttpResponseMessage Create() => W.Http.PostAsync("networks/create",
            new StringContent("""{"Name":"mine-29","IPAM":{"Config":[{"Subnet":"172.29.5.0/24"}]}}""", System.Text.Encoding.UTF8, "application/json")).Result;
        using (var refused = Create()) Assert.Equal(409, (int)refused.StatusCode);
        // Nor may a Docker pool of Plexus's IPAM take it.
        Assert.Contains("overlaps", plugin.Fails("IpamDriver.RequestPool", """{"AddressSpace":"LocalDefault","Pool":"172.29.9.0/24","Options":{},"V6":false}"""), StringComparison.Ordinal);
        plugin.Ok("NetworkDriver.DeleteNetwork", $$"""{"NetworkID":"{{id}}"}""");
        using (var created = Create()) Assert.Equal(201, (int)created.StatusCode);
        using var removed = W.Http.DeleteAsync("networks/mine-29").Result;
        Assert.True(removed.IsSuccessStatusCode);
    }

    [PrivilegedFact]
    public void Two_containers_joined_as_Docker_joins_them_talk_and_leave_nothing_behind()
    {
        using var plugin = new PluginClient(W.PluginSocket);
        var (network, pool) = CreateNetwork(plugin, "10.63.0.0/24", """{"com.docker.network.bridge.name":"plxdock63"}""");
        Assert.Contains("plxdock63", W.HostLinks());
        var shown = W.Http.GetStringAsync($"networks/{network}").Result;
        Assert.Contains("\"com.plexus.owner\":\"docker\"", shown, StringComparison.Ordinal);
        using (var refused = W.Http.DeleteAsync($"networks/{network}").Result)
        {
            Assert.Equal(403, (int)refused.StatusCode);
            Assert.Contains("docker network rm", refused.Content.ReadAsStringAsync().Result, StringComparison.Ordinal);
        }

        var a = Run(plugin, W.Net, network, pool, "c63a");
        var b = Run(plugin, W.Net, network, pool, "c63b", ip: "10.63.0.40");
        Assert.Equal("10.63.0.2", a.Address);
        Assert.Equal("10.63.0.40", b.Address);
        Assert.Equal("02:42:0a:3f:00:02", a.Mac); // Plexus's bridge derives it from the address, as Docker's does
        Eventually(() => Ping(W.Net, "c63a", "10.63.0.40") && Ping(W.Net, "c63b", "10.63.0.2"), "the two containers do not reach each other");
        Assert.True(Ping(W.Net, "c63a", "10.63.0.1"), "the container does not reach its gateway");
        // Docker's sandboxes are shown, and Plexus refuses to remove them itself.
        var ps = W.Http.GetStringAsync("containers/json?all=true").Result;
        Assert.Contains("docker-c63a", ps, StringComparison.Ordinal);
        using (var refused = W.Http.DeleteAsync("containers/docker-c63a?force=true").Result)
            Assert.Equal(403, (int)refused.StatusCode);

        Stop(plugin, W.Net, network, pool, a);
        // Leave and delete again: Docker retries on its cleanup paths.
        plugin.Ok("NetworkDriver.Leave", $$"""{"NetworkID":"{{network}}","EndpointID":"{{a.EndpointId}}"}""");
        plugin.Ok("NetworkDriver.DeleteEndpoint", $$"""{"NetworkID":"{{network}}","EndpointID":"{{a.EndpointId}}"}""");
        // An endpoint Docker never removed (its CreateEndpoint answer lost, say) goes with the network: Docker removes a
        // network only once it has no endpoints left, so whatever Plexus still holds there is a leftover.
        plugin.Ok("NetworkDriver.CreateEndpoint", $$"""{"NetworkID":"{{network}}","EndpointID":"{{NewId('b')}}","Interface":{"Address":"10.63.0.9/24"},"Options":{} }""");
        Stop(plugin, W.Net, network, pool, b);
        RemoveNetwork(plugin, network, pool, "10.63.0.1");
        Assert.Equal(404, (int)W.Http.GetAsync($"networks/{network}").Result.StatusCode);
        Assert.DoesNotContain(W.HostLinks(), l => l.StartsWith("vpx", StringComparison.Ordinal) || l.StartsWith("vdx", StringComparison.Ordinal) || l == "plxdock63");
        var ruleset = W.Net.Exec("host", "nft", "list", "ruleset").Output;
        Assert.DoesNotContain("vpx" + a.EndpointId[..12], ruleset, StringComparison.Ordinal);
        Assert.DoesNotContain("10.63.0", ruleset, StringComparison.Ordinal);
        Assert.DoesNotContain("docker-c63", W.Http.GetStringAsync("containers/json?all=true").Result, StringComparison.Ordinal);
    }

    [PrivilegedFact]
    public void A_port_Docker_publishes_is_reachable_from_outside_and_gone_once_revoked()
    {
        using var plugin = new PluginClient(W.PluginSocket);
        var (network, pool) = CreateNetwork(plugin, "10.64.0.0/24");
        var web = Run(plugin, W.Net, network, pool, "c64web");
        // The outside world: a namespace behind a veth of the host's.
        W.Net.Add("out64");
        Check(W.Net.Exec("host", "ip", "link", "add", "vout64", "type", "veth", "peer", "name", "eth0", "netns", W.Net.PathOf("out64")));
        Check(W.Net.Exec("host", "ip", "addr", "add", "192.0.2.1/24", "dev", "vout64"));
        Check(W.Net.Exec("host", "ip", "link", "set", "vout64", "up"));
        Check(W.Net.Exec("out64", "ip", "addr", "add", "192.0.2.2/24", "dev", "eth0"));
        Check(W.Net.Exec("out64", "ip", "link", "set", "eth0", "up"));
        var www = Path.Combine(W.Files, "www64");
        Directory.CreateDirectory(www);
        File.WriteAllText(Path.Combine(www, "index.html"), "docker's container\n");
        using var httpd = Process.Start("nsenter", [$"--net={W.Net.PathOf("c64web")}", "busybox", "httpd", "-f", "-p", "80", "-h", www])!;
        try
        {
            plugin.Ok("NetworkDriver.ProgramExternalConnectivity", $$"""
                {"NetworkID":"{{network}}","EndpointID":"{{web.EndpointId}}","Options":{
                  "com.docker.network.endpoint.exposedports":[{"Proto":6,"Port":80}],
                  "com.docker.network.portmap":[{"Proto":6,"IP":"","Port":80,"HostIP":"","HostPort":8064,"HostPortEnd":8064}]} }
                """);
            string? Curl(string from, string url) =>
                W.Net.Exec(from, "curl", "-s", "--max-time", "3", url) is (0, var body) ? body.Trim() : null;
            Eventually(() => Curl("out64", "http://192.0.2.1:8064/") == "docker's container", "the published port is not reachable from outside");
            Assert.Equal("docker's container", Curl("host", "http://192.0.2.1:8064/"));
            Assert.Equal("docker's container", Curl("host", "http://127.0.0.1:8064/"));
            // Hairpin: the container reaches its own published port through the host's address.
            Assert.Equal("docker's container", Curl("c64web", "http://192.0.2.1:8064/"));
            Assert.Empty(Processes.Run("pgrep", ["-f", "docker-proxy"]).Output.Trim());
            var info = plugin.Ok("NetworkDriver.EndpointOperInfo", $$"""{"NetworkID":"{{network}}","EndpointID":"{{web.EndpointId}}"}""");
            Assert.Equal(8064, info.GetProperty("Value").GetProperty("com.docker.network.portmap")[0].GetProperty("HostPort").GetInt32());

            plugin.Ok("NetworkDriver.RevokeExternalConnectivity", $$"""{"NetworkID":"{{network}}","EndpointID":"{{web.EndpointId}}"}""");
            Assert.Null(Curl("out64", "http://192.0.2.1:8064/"));
        }
        finally
        {
            httpd.Kill();
            httpd.WaitForExit();
        }
        Stop(plugin, W.Net, network, pool, web);
        RemoveNetwork(plugin, network, pool, "10.64.0.1");
        W.Net.Exec("host", "ip", "link", "del", "vout64");
        Assert.DoesNotContain(W.HostLinks(), l => l.StartsWith("vpx", StringComparison.Ordinal) || l.StartsWith("vdx", StringComparison.Ordinal));
    }

    [PrivilegedFact]
    public void Bad_calls_get_errors_in_the_protocols_shape_and_never_crash_the_daemon()
    {
        using var plugin = new PluginClient(W.PluginSocket);
        Assert.Contains("not valid JSON", plugin.Fails("NetworkDriver.CreateNetwork", "{\"NetworkID\":", 400), StringComparison.Ordinal);
        Assert.Contains("not valid JSON", plugin.Fails("IpamDriver.RequestPool", "[1,2", 400), StringComparison.Ordinal);
        Assert.Contains("not implemented", plugin.Fails("NetworkDriver.Teleport", "{}", 404), StringComparison.Ordinal);
        var unknown = new string('f', 64);
        Assert.Contains("not found", plugin.Fails("NetworkDriver.CreateEndpoint",
            $$"""{"NetworkID":"{{unknown}}","EndpointID":"{{unknown}}","Interface":{"Address":"10.65.0.2/24"},"Options":{} }"""), StringComparison.Ordinal);
        Assert.Contains("not found", plugin.Fails("NetworkDriver.Join", $$"""{"NetworkID":"{{unknown}}","EndpointID":"{{unknown}}","SandboxKey":"/var/run/docker/netns/x"}"""), StringComparison.Ordinal);
        Assert.Contains("NetworkID", plugin.Fails("NetworkDriver.CreateNetwork", "{}", 400), StringComparison.Ordinal);
        // dockerd's retry after a lost connection sends no body.
        Assert.Contains("empty", plugin.Fails("NetworkDriver.CreateEndpoint", "", 400), StringComparison.Ordinal);
        Assert.Contains("not a Docker network id", plugin.Fails("NetworkDriver.CreateNetwork", """{"NetworkID":"../../etc"}"""), StringComparison.Ordinal);
        // Removals of what is not there succeed: Docker repeats them on its cleanup paths.
        plugin.Ok("NetworkDriver.Leave", $$"""{"NetworkID":"{{unknown}}","EndpointID":"{{unknown}}"}""");
        plugin.Ok("NetworkDriver.DeleteEndpoint", $$"""{"NetworkID":"{{unknown}}","EndpointID":"{{unknown}}"}""");
        plugin.Ok("NetworkDriver.DeleteNetwork", $$"""{"NetworkID":"{{unknown}}"}""");
        // An address outside the network's subnets is refused at CreateEndpoint, naming it.
        var (network, pool) = CreateNetwork(plugin, "10.65.0.0/24");
        Assert.Contains("10.99.0.2/24 is outside", plugin.Fails("NetworkDriver.CreateEndpoint",
            $$"""{"NetworkID":"{{network}}","EndpointID":"{{unknown}}","Interface":{"Address":"10.99.0.2/24"},"Options":{} }"""), StringComparison.Ordinal);
        RemoveNetwork(plugin, network, pool, "10.65.0.1");
        Assert.Equal("OK", W.Http.GetStringAsync("_ping").Result);
    }
}
