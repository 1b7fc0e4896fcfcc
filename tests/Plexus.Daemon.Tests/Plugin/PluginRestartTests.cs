using System.Diagnostics;
using Plexus.Testing;
using static Plexus.Daemon.Tests.Plugin.DockerSimulation;

namespace Plexus.Daemon.Tests.Plugin;

/// <summary>
/// Docker never repeats CreateNetwork, CreateEndpoint or Join, nor its IPAM requests: what it told plexusd must
/// survive plexusd's restarts and crashes, and traffic must flow on meanwhile.
/// </summary>
[Trait("Category", "Privileged")]
public sealed class PluginRestartTests
{
    [PrivilegedFact]
    public void Docker_networks_endpoints_pools_and_ports_survive_a_restart_and_a_crash_and_a_gone_container_is_cleaned_up_later()
    {
        using var w = new DaemonWorld();
        w.Start();
        using var plugin = new PluginClient(w.PluginSocket);
        var (network, pool) = CreateNetwork(plugin, "10.66.0.0/24");
        var web = Run(plugin, w.Net, network, pool, "r66web");
        var peer = Run(plugin, w.Net, network, pool, "r66peer");
        // A container's namespace that nothing but its bind mount holds, so that removing it frees it, as when a container goes.
        var elsewhere = new Plexus.Kernel.Namespaces.NamespaceDirectory(Path.Combine(w.Root, "containers"));
        elsewhere.Create("r66gone").Dispose();
        var gone = Run(plugin, w.Net, network, pool, "r66gone", sandboxKey: elsewhere.PathOf("r66gone"));
        plugin.Ok("NetworkDriver.ProgramExternalConnectivity", $$"""
            {"NetworkID":"{{network}}","EndpointID":"{{web.EndpointId}}","Options":{
              "com.docker.network.portmap":[{"Proto":6,"IP":"","Port":80,"HostIP":"","HostPort":8066,"HostPortEnd":8066}]} }
            """);
        var www = Path.Combine(w.Files, "www66");
        Directory.CreateDirectory(www);
        File.WriteAllText(Path.Combine(www, "index.html"), "still here\n");
        Check(w.Net.Exec("host", "ip", "addr", "add", "192.0.2.66/32", "dev", "lo"));
        using var httpd = Process.Start("nsenter", [$"--net={w.Net.PathOf("r66web")}", "busybox", "httpd", "-f", "-p", "80", "-h", www])!;
        try
        {
            string? Curl() => w.Net.Exec("host", "curl", "-s", "--max-time", "3", "http://192.0.2.66:8066/") is (0, var body) ? body.Trim() : null;
            Eventually(() => Curl() == "still here" && Ping(w.Net, "r66peer", web.Address), "before the restart: no traffic");

            w.Stop();
            // While plexusd is down the container "r66gone" goes, and its namespace with its end of the pair.
            elsewhere.Delete("r66gone");
            elsewhere.Release();
            w.Start();
            AssertStillThere();

            w.Kill();
            w.Start();
            AssertStillThere();

            void AssertStillThere()
            {
                Assert.Contains("\"com.plexus.owner\":\"docker\"", w.Http.GetStringAsync($"networks/{network}").Result, StringComparison.Ordinal);
                Eventually(() => Ping(w.Net, "r66peer", web.Address) && Ping(w.Net, "r66web", "10.66.0.1"), $"after a restart: the containers lost each other: {w.Log}");
                Eventually(() => Curl() == "still here", "after a restart: the published port is gone");
                // The pool and its addresses are still held: the next address is a new one, the subnet taken.
                var next = plugin.Ok("IpamDriver.RequestAddress", $$"""{"PoolID":"{{pool}}","Address":"","Options":{} }""").GetProperty("Address").GetString()!;
                Assert.DoesNotContain(next.Split('/')[0], new[] { "10.66.0.1", web.Address, peer.Address, gone.Address });
                plugin.Ok("IpamDriver.ReleaseAddress", $$"""{"PoolID":"{{pool}}","Address":"{{next.Split('/')[0]}}"}""");
                Assert.Contains("overlaps", plugin.Fails("IpamDriver.RequestPool", """{"AddressSpace":"LocalDefault","Pool":"10.66.0.0/24","Options":{},"V6":false}"""), StringComparison.Ordinal);
            }
        }
        finally
        {
            httpd.Kill();
            httpd.WaitForExit();
        }
        // Docker cleans up the gone container when it learns of it: Leave and DeleteEndpoint succeed and leave nothing.
        plugin.Ok("NetworkDriver.Leave", $$"""{"NetworkID":"{{network}}","EndpointID":"{{gone.EndpointId}}"}""");
        plugin.Ok("NetworkDriver.DeleteEndpoint", $$"""{"NetworkID":"{{network}}","EndpointID":"{{gone.EndpointId}}"}""");
        plugin.Ok("IpamDriver.ReleaseAddress", $$"""{"PoolID":"{{pool}}","Address":"{{gone.Address}}"}""");
        Stop(plugin, w.Net, network, pool, web);
        Stop(plugin, w.Net, network, pool, peer);
        RemoveNetwork(plugin, network, pool, "10.66.0.1");
        Assert.DoesNotContain(w.HostLinks(), l => l.StartsWith("vpx", StringComparison.Ordinal) || l.StartsWith("vdx", StringComparison.Ordinal) || l.StartsWith("plx-", StringComparison.Ordinal));
        Assert.DoesNotContain("10.66.0", w.Net.Exec("host", "nft", "list", "ruleset").Output, StringComparison.Ordinal);
        w.Net.Exec("host", "ip", "addr", "del", "192.0.2.66/32", "dev", "lo");
    }
}
