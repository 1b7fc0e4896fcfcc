using System.Diagnostics;
using System.Globalization;
using Plexus.Testing;

namespace Plexus.Daemon.Tests.Plugin;

/// <summary>
/// What dockerd does around the plugin calls, done by hand: ids, the IPAM and network calls of `docker network
/// create` and `docker run`, and moving the interface Join hands over into a container namespace and configuring it.
/// </summary>
internal static class DockerSimulation
{
    private static int s_next;

    /// <summary>A fresh Docker-style id (64 hex): a counter and the test process id, different in the first 12 characters (Plexus's names), so parallel classes never share one.</summary>
    public static string NewId(char kind) =>
        (kind + Interlocked.Increment(ref s_next).ToString("x5", CultureInfo.InvariantCulture) + Environment.ProcessId.ToString("x8", CultureInfo.InvariantCulture)).PadRight(64, 'e');

    /// <summary>`docker network create -d plexus --ipam-driver plexus --subnet SUBNET`: pool, gateway, network. Returns the network id and pool id.</summary>
    public static (string NetworkId, string PoolId) CreateNetwork(PluginClient plugin, string subnet, string genericOptions = "{}")
    {
        var pool = plugin.Ok("IpamDriver.RequestPool", $$"""{"AddressSpace":"LocalDefault","Pool":"{{subnet}}","SubPool":"","Options":{},"V6":false}""");
        var poolId = pool.GetProperty("PoolID").GetString()!;
        var gateway = plugin.Ok("IpamDriver.RequestAddress", $$"""{"PoolID":"{{poolId}}","Address":"","Options":{"RequestAddressType":"com.docker.network.gateway"} }""")
            .GetProperty("Address").GetString()!;
        var id = NewId('a');
        plugin.Ok("NetworkDriver.CreateNetwork", $$"""
            {"NetworkID":"{{id}}","Options":{"com.docker.network.enable_ipv6":false,"com.docker.network.generic":{{genericOptions}}},
             "IPv4Data":[{"AddressSpace":"LocalDefault","Pool":"{{subnet}}","Gateway":"{{gateway}}"}],"IPv6Data":[]}
            """);
        return (id, poolId);
    }

    /// <summary>
    /// `docker run --network N`: an address from the pool, the endpoint, the join; then what dockerd does with the
    /// answer: the SrcName moved into the container's namespace, renamed eth0, addressed, up, default route via the gateway.
    /// </summary>
    /// <param name="sandboxKey">A namespace made elsewhere (one the test removes, as a container's goes); null: a namespace of <paramref name="net"/> named <paramref name="name"/>.</param>
    public static Container Run(PluginClient plugin, TestNetwork net, string networkId, string poolId, string name, string? ip = null, string? sandboxKey = null)
    {
        var address = plugin.Ok("IpamDriver.RequestAddress", $$"""{"PoolID":"{{poolId}}","Address":"{{ip ?? ""}}","Options":{} }""").GetProperty("Address").GetString()!;
        var endpointId = NewId('b');
        var created = plugin.Ok("NetworkDriver.CreateEndpoint", $$"""{"NetworkID":"{{networkId}}","EndpointID":"{{endpointId}}","Interface":{"Address":"{{address}}","AddressIPv6":"","MacAddress":""},"Options":{} }""");
        var mac = created.GetProperty("Interface").GetProperty("MacAddress").GetString()!;
        if (sandboxKey is null) net.Add(name);
        var key = sandboxKey ?? net.PathOf(name);
        var join = plugin.Ok("NetworkDriver.Join", $$"""{"NetworkID":"{{networkId}}","EndpointID":"{{endpointId}}","SandboxKey":"{{key}}","Options":{} }""");
        var src = join.GetProperty("InterfaceName").GetProperty("SrcName").GetString()!;
        Assert.Equal("eth", join.GetProperty("InterfaceName").GetProperty("DstPrefix").GetString());
        var gateway = join.GetProperty("Gateway").GetString()!;
        Check(net.Exec("host", "ip", "link", "set", src, "netns", key));
        (int, string) Inside(params string[] command) => Processes.Run("nsenter", [$"--net={key}", "--", .. command]);
        Check(Inside("ip", "link", "set", src, "name", "eth0"));
        Check(Inside("ip", "addr", "add", address, "dev", "eth0"));
        Check(Inside("ip", "link", "set", "eth0", "up"));
        Check(Inside("ip", "route", "add", "default", "via", gateway));
        return new Container(name, endpointId, address.Split('/')[0], src, mac);
    }

    /// <summary>What dockerd does when a container stops: the interface back to the host under its SrcName, then Leave, DeleteEndpoint, ReleaseAddress.</summary>
    public static void Stop(PluginClient plugin, TestNetwork net, string networkId, string poolId, Container c)
    {
        net.Exec(c.Name, "ip", "link", "set", "eth0", "down");
        net.Exec(c.Name, "ip", "link", "set", "eth0", "name", c.SourceInterface);
        Check(net.Exec(c.Name, "ip", "link", "set", c.SourceInterface, "netns", net.PathOf("host")));
        plugin.Ok("NetworkDriver.Leave", $$"""{"NetworkID":"{{networkId}}","EndpointID":"{{c.EndpointId}}"}""");
        plugin.Ok("NetworkDriver.DeleteEndpoint", $$"""{"NetworkID":"{{networkId}}","EndpointID":"{{c.EndpointId}}"}""");
        plugin.Ok("IpamDriver.ReleaseAddress", $$"""{"PoolID":"{{poolId}}","Address":"{{c.Address}}"}""");
    }

    /// <summary>`docker network rm`: the network, then its gateway and pool.</summary>
    public static void RemoveNetwork(PluginClient plugin, string networkId, string poolId, string gateway)
    {
        plugin.Ok("NetworkDriver.DeleteNetwork", $$"""{"NetworkID":"{{networkId}}"}""");
        plugin.Ok("IpamDriver.ReleaseAddress", $$"""{"PoolID":"{{poolId}}","Address":"{{gateway}}"}""");
        plugin.Ok("IpamDriver.ReleasePool", $$"""{"PoolID":"{{poolId}}"}""");
    }

    public static bool Ping(TestNetwork net, string from, string to) =>
        net.Exec(from, "busybox", "ping", "-c", "1", "-W", "2", to).ExitCode == 0;

    public static void Check((int ExitCode, string Output) result) => Assert.True(result.ExitCode == 0, result.Output);

    public static void Eventually(Func<bool> condition, string failure)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), failure);
            Thread.Sleep(100);
        }
    }
}

internal sealed record Container(string Name, string EndpointId, string Address, string SourceInterface, string Mac);
