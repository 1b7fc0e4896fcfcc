using System.Net;
using Plexus.Kernel.Rtnl;
using Plexus.Kernel.Rtnl.LinkKinds;
using Plexus.Testing;
using Plexus.Kernel.Types;

namespace Plexus.Kernel.Tests.Privileged;

[Trait("Category", "Privileged")]
public sealed class ConnectivityTests
{
    /// <summary>
    /// The reference document's hand-built network, done through the kernel layer: a bridge with a
    /// gateway address, two sandboxes each with eth0 (created straight inside its namespace), an address
    /// and a default route. Real packets cross it, and iproute2 sees the same state Plexus reports.
    /// </summary>
    [PrivilegedFact]
    public void Two_sandboxes_on_a_bridge_reach_each_other_and_the_gateway()
    {
        using var net = new TestNetwork();
        var gateway = IPPrefix.Parse("172.18.0.1/16");
        net.Host.CreateLink(new BridgeSpec("br0") { Up = true });
        int br = net.Host.GetLink("br0").Index;
        net.Host.AddAddress(br, gateway);

        var sandboxes = new[] { ("c1", "veth1", IPAddress.Parse("172.18.0.2")), ("c2", "veth2", IPAddress.Parse("172.18.0.3")) };
        foreach (var (name, hostSide, address) in sandboxes)
        {
            var (ns, rt) = net.Add(name);
            net.Host.CreateLink(new VethSpec(hostSide, "eth0") { MasterIndex = br, Up = true, PeerNamespace = ns, PeerMac = MacAddress.FromIPv4(address) });
            rt.SetUp(rt.GetLink("lo").Index);
            int eth0 = rt.GetLink("eth0").Index;
            rt.SetUp(eth0);
            rt.AddAddress(eth0, new IPPrefix(address, 16));
            rt.AddRoute(Route.DefaultVia(gateway.Address, eth0));
        }

        Assert.Equal(0, net.Exec("c1", "busybox", "ping", "-c", "1", "-W", "2", "172.18.0.3").ExitCode);
        Assert.Equal(0, net.Exec("c2", "busybox", "ping", "-c", "1", "-W", "2", "172.18.0.2").ExitCode);
        Assert.Equal(0, net.Exec("c1", "busybox", "ping", "-c", "1", "-W", "2", "172.18.0.1").ExitCode);
        // And nothing answers for an address nobody holds: the test can fail.
        Assert.NotEqual(0, net.Exec("c1", "busybox", "ping", "-c", "1", "-W", "1", "172.18.0.99").ExitCode);

        // iproute2's view of c1 matches what Plexus set and what Plexus reads back.
        var links = IpJson.Query(net, "c1", "link", "show", "eth0");
        var eth = Assert.Single(links);
        Assert.Equal("02:42:ac:12:00:02", eth.Str("address"));
        Assert.Contains("UP", eth.GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
        var addrs = IpJson.Query(net, "c1", "-4", "addr", "show", "eth0");
        var info = Assert.Single(Assert.Single(addrs).GetProperty("addr_info").EnumerateArray());
        Assert.Equal("172.18.0.2", info.Str("local"));
        Assert.Equal(16, info.GetProperty("prefixlen").GetInt32());
        Assert.Equal("172.18.255.255", info.Str("broadcast"));
        var route = Assert.Single(IpJson.Query(net, "c1", "route", "show", "default"));
        Assert.Equal("172.18.0.1", route.Str("gateway"));
        Assert.Equal("eth0", route.Str("dev"));

        // The host's bridge has both veths as ports, as `ip -j link show master br0` reports.
        var ports = IpJson.Query(net, "host", "link", "show", "master", "br0").Select(p => p.Str("ifname") ?? "").Order().ToArray();
        Assert.Equal(["veth1", "veth2"], ports);
        var plexusPorts = net.Host.ListLinks().Where(l => l.MasterIndex == br).Select(l => l.Name).Order().ToArray();
        Assert.Equal(ports, plexusPorts);
    }
}
