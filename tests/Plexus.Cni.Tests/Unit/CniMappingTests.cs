using System.Net;
using Plexus.Api;
using Plexus.Daemon.Api;
using Plexus.Engine.Controller;
using Plexus.Engine.Drivers.Bridge;
using Plexus.Engine.Model;

namespace Plexus.Cni.Tests.Unit;

/// <summary>plexusd's side: a configuration's network as Docker's bridge options and IPAM, and a redefinition named key by key.</summary>
public sealed class CniMappingTests
{
    [Fact]
    public void Bridge_plugin_keys_become_the_bridge_drivers_options()
    {
        var (request, definition) = CniMapping.NetworkRequest(new CniNetworkJson { Name = "web", Bridge = "cni0", Mtu = 1400, IpMasq = true, Icc = false });
        Assert.Equal("cni0", request.Options["com.docker.network.bridge.name"]);
        Assert.Equal("1400", request.Options["com.docker.network.driver.mtu"]);
        Assert.Equal(("true", "false"), (request.Options["com.docker.network.bridge.enable_ip_masquerade"], request.Options["com.docker.network.bridge.enable_icc"]));
        Assert.Equal("true", request.Options[NetworkController.DefaultBridgeOption]); // no names unless asked
        Assert.Contains("mtu=1400", definition, StringComparison.Ordinal);
        Assert.False(CniMapping.NetworkRequest(new CniNetworkJson { Name = "web", Names = true }).Request.Options.ContainsKey(NetworkController.DefaultBridgeOption));
    }

    [Fact]
    public void Gateway_keys_flags_and_routes_become_bridge_options_as_the_bridge_plugin_means_them()
    {
        CniRangeJson[] dual = [new() { Subnet = "10.1.0.0/24" }, new() { Subnet = "fd00:1::/64" }];
        // isDefaultGateway: the bridge is the gateway and gives both families their default route.
        var all = CniMapping.NetworkRequest(new CniNetworkJson { Name = "a", IsDefaultGateway = true, HairpinMode = true, PromiscMode = true, Ranges = [.. dual] }).Request.Options;
        Assert.Equal(("true", "ipv4,ipv6", "true", "true"),
            (all[BridgeOptions.GatewayOnBridge], all[BridgeOptions.DefaultRoutes], all[BridgeOptions.HairpinMode], all[BridgeOptions.PromiscMode]));
        Assert.False(all.ContainsKey(BridgeOptions.Routes));
        // No isGateway (false, as in the bridge plugin): no address on the bridge; routes only from ipam, a default one via the range's gateway.
        var routed = CniMapping.NetworkRequest(new CniNetworkJson
        {
            Name = "b",
            Ranges = [.. dual],
            Routes = [new("0.0.0.0/0", null), new("10.200.0.0/16", "10.1.0.254"), new("192.168.0.0/16", null), new("::/0", "fd00:1::9")],
        }).Request.Options;
        Assert.Equal(("false", "ipv4"), (routed[BridgeOptions.GatewayOnBridge], routed[BridgeOptions.DefaultRoutes]));
        Assert.Equal("10.200.0.0/16 via 10.1.0.254,192.168.0.0/16,::/0 via fd00:1::9", routed[BridgeOptions.Routes]);
        Assert.False(routed.ContainsKey(BridgeOptions.HairpinMode));
        var bad = Assert.Throws<PlexusException>(() => CniMapping.NetworkRequest(new CniNetworkJson { Name = "c", Routes = [new("10.0.0.0/8", "fd00::1")] }));
        Assert.Contains("ipam.routes[0]", bad.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_range_set_of_several_ranges_is_several_subnets_of_its_family_in_order()
    {
        var (request, definition) = CniMapping.NetworkRequest(new CniNetworkJson
        {
            Name = "multi",
            Ranges = [new() { Set = 0, Subnet = "10.1.0.0/24" }, new() { Set = 0, Subnet = "10.1.1.0/24", Gateway = "10.1.1.254" }, new() { Set = 1, Subnet = "fd00:1::/64" }],
        });
        Assert.Equal(["10.1.0.0/24", "10.1.1.0/24", "fd00:1::/64"], request.IpamConfigs.Select(c => c.Subnet.ToString()));
        Assert.Equal(["10.1.0.1", "10.1.1.254", "fd00:1::1"], request.IpamConfigs.Select(c => c.Gateway!.ToString()));
        Assert.True(request.EnableIPv6);
        Assert.Contains("ranges[1].subnet=10.1.1.0/24", definition, StringComparison.Ordinal);
        // A bad range in a set is named by set and position.
        var bad = Assert.Throws<PlexusException>(() => CniMapping.RangeSets([new() { Set = 0, Subnet = "10.1.0.0/24" }, new() { Set = 0, Subnet = "10.1.1.0/33" }]));
        Assert.Contains("ipam.ranges[0][1].subnet", bad.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_range_sets_of_one_family_are_refused_with_code_2_and_a_set_mixing_families_with_code_7()
    {
        var two = Assert.Throws<CniEndpoints.CniFailure>(() => CniMapping.RangeSets([new() { Set = 0, Subnet = "10.1.0.0/24" }, new() { Set = 1, Subnet = "10.2.0.0/24" }]));
        Assert.Equal(CniEndpoints.UnsupportedField, two.Code);
        Assert.Contains("ipam.ranges[0] and ipam.ranges[1] are both IPv4 range sets", two.Message, StringComparison.Ordinal);
        // Without set indexes (an older plugin's request), each range is its set.
        Assert.Equal(CniEndpoints.UnsupportedField, Assert.Throws<CniEndpoints.CniFailure>(() => CniMapping.RangeSets([new() { Subnet = "fd00:1::/64" }, new() { Subnet = "fd00:2::/64" }])).Code);
        var mixed = Assert.Throws<PlexusException>(() => CniMapping.RangeSets([new() { Set = 0, Subnet = "10.1.0.0/24" }, new() { Set = 0, Subnet = "fd00:1::/64" }]));
        Assert.Contains("ipam.ranges[0]: its ranges mix IPv4 and IPv6", mixed.Message, StringComparison.Ordinal);
    }

    /// <summary>What the first plexus-cni kept: no isGateway, defaultRoutes or routes (it always made the bridge the gateway and the default route).</summary>
    internal const string EarlierDefinition = "bridge=cni0\nipMasq=true\nhairpinMode=false\npromiscMode=false\nicc=true\ninternal=false\nnames=false\nranges[0].subnet=10.1.0.0/24";

    [Fact]
    public void An_earlier_plugins_definition_is_what_its_network_does_and_agrees_with_a_configuration_asking_that()
    {
        var network = new NetworkState { Id = new string('a', 64), Name = "web", Driver = "bridge" };
        var options = BridgeOptions.Parse(network, new BridgeOptions.Defaults());
        var effective = CniDefinitions.OfEarlierPlugin(EarlierDefinition, options, null)!;
        Assert.Contains("isGateway=true", effective, StringComparison.Ordinal);
        Assert.Contains("defaultRoutes=ipv4,ipv6", effective, StringComparison.Ordinal);
        // The gateway on the bridge and a default route: isGateway with ipam's default route, or isDefaultGateway (both families: IPv4 is all there is).
        CniRangeJson[] ranges = [new() { Subnet = "10.1.0.0/24" }];
        var routed = CniMapping.NetworkRequest(new CniNetworkJson { Name = "web", Bridge = "cni0", IpMasq = true, IsGateway = true, Routes = [new("0.0.0.0/0", null)], Ranges = [.. ranges] }).Definition;
        var byDefault = CniMapping.NetworkRequest(new CniNetworkJson { Name = "web", Bridge = "cni0", IpMasq = true, IsDefaultGateway = true, Ranges = [.. ranges] }).Definition;
        Assert.Equal("", CniDefinitions.Difference(effective, routed, hasIPv4: true, hasIPv6: false));
        Assert.Equal("", CniDefinitions.Difference(effective, byDefault, hasIPv4: true, hasIPv6: false));
        // Without isGateway today's plugin means no gateway on the bridge and no default route: not what that network does.
        var bare = CniMapping.NetworkRequest(new CniNetworkJson { Name = "web", Bridge = "cni0", IpMasq = true, Ranges = [.. ranges] }).Definition;
        Assert.Equal("isGateway is true there, false here; defaultRoutes is ipv4 there, none here", CniDefinitions.Difference(effective, bare, hasIPv4: true, hasIPv6: false));
        // Today's definitions are not earlier ones.
        Assert.Null(CniDefinitions.OfEarlierPlugin(routed, options, null));
    }

    [Fact]
    public void A_CIDR_range_is_the_ip_range_and_a_ragged_one_keeps_the_rest_of_its_block_back()
    {
        var exact = CniMapping.Range(new CniRangeJson { Subnet = "10.88.0.0/16", RangeStart = "10.88.1.0", RangeEnd = "10.88.1.255" }, "ipam.ranges[0]");
        Assert.Equal(IPNetwork.Parse("10.88.1.0/24"), exact.IPRange);
        Assert.Empty(exact.AuxAddresses);
        var ragged = CniMapping.Range(new CniRangeJson { Subnet = "10.89.0.0/24", RangeStart = "10.89.0.10", RangeEnd = "10.89.0.20", Gateway = "10.89.0.1" }, "ipam.ranges[0]");
        Assert.Equal(IPNetwork.Parse("10.89.0.0/27"), ragged.IPRange);
        var held = ragged.AuxAddresses.Values.Select(a => a.ToString()).ToHashSet();
        Assert.Contains("10.89.0.9", held);
        Assert.Contains("10.89.0.21", held);
        Assert.DoesNotContain("10.89.0.10", held);
        Assert.DoesNotContain("10.89.0.1", held); // the gateway is held anyway
        Assert.Equal(IPAddress.Parse("10.89.0.1"), ragged.Gateway);
        var whole = CniMapping.Range(new CniRangeJson { Subnet = "10.90.0.0/24", RangeStart = "10.90.0.2", RangeEnd = "10.90.0.254" }, "ipam.ranges[0]");
        Assert.Null(whole.IPRange); // the whole subnet: .1 is the gateway (host-local's default), .0 and .255 are never handed out
        Assert.Empty(whole.AuxAddresses);
        Assert.Equal(IPAddress.Parse("10.90.0.1"), whole.Gateway);
    }

    [Theory]
    [InlineData("10.88.0.0/33", null, null, "ipam.ranges[0].subnet")]
    [InlineData("10.88.0.0/24", "10.89.0.1", null, "must lie inside subnet")]
    [InlineData("10.88.0.0/24", "10.88.0.50", "10.88.0.40", "start before end")]
    [InlineData("10.0.0.0/8", "10.0.0.5", "10.200.0.0", "addresses of block")]
    public void A_range_that_cannot_be_honoured_is_refused_naming_it(string subnet, string? start, string? end, string message)
    {
        var error = Assert.Throws<PlexusException>(() => CniMapping.Range(new CniRangeJson { Subnet = subnet, RangeStart = start, RangeEnd = end }, "ipam.ranges[0]"));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_redefinition_names_each_key_that_differs()
    {
        var a = CniMapping.NetworkRequest(new CniNetworkJson { Name = "web", Ranges = [new CniRangeJson { Subnet = "10.1.0.0/24" }] }).Definition;
        var b = CniMapping.NetworkRequest(new CniNetworkJson { Name = "web", Mtu = 1400, Ranges = [new CniRangeJson { Subnet = "10.2.0.0/24" }] }).Definition;
        Assert.Equal("ranges[0].subnet is 10.1.0.0/24 there, 10.2.0.0/24 here; mtu is unset there, 1400 here", CniDefinitions.Difference(a, b));
    }

    [Fact]
    public void Capability_arguments_become_the_endpoint()
    {
        var endpoint = CniMapping.EndpointRequest(new CniRuntimeJson
        {
            Ips = ["10.88.0.9/16"],
            Mac = "02:42:0a:58:00:09",
            Aliases = ["www"],
            PortMappings = [new CniPortMappingJson { HostPort = 8080, ContainerPort = 80, Protocol = "tcp", HostIP = "127.0.0.1" }, new CniPortMappingJson { HostPort = 53, ContainerPort = 53, Protocol = "udp" }],
        }, "net1");
        Assert.Equal(("net1", "10.88.0.9", "02:42:0a:58:00:09"), (endpoint.InterfaceName, endpoint.IPv4Address!.ToString(), endpoint.Mac!.Value.ToString()));
        Assert.Equal(["127.0.0.1:8080->80/tcp", "0.0.0.0:53->53/udp"], endpoint.PublishedPorts.Select(p => p.ToString()));
        Assert.Equal(["80/tcp", "53/udp"], endpoint.ExposedPorts);
        Assert.Throws<PlexusException>(() => CniMapping.EndpointRequest(new CniRuntimeJson { PortMappings = [new CniPortMappingJson { HostPort = 1, ContainerPort = 1, Protocol = "icmp" }] }, "eth0"));
        Assert.Throws<PlexusException>(() => CniMapping.EndpointRequest(new CniRuntimeJson { Ips = ["10.0.0.1", "10.0.0.2"] }, "eth0"));
    }
}
