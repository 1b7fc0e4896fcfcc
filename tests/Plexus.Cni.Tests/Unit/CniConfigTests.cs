using System.Text;
using Plexus.Api;
using Plexus.Cni;

namespace Plexus.Cni.Tests.Unit;

/// <summary>The configuration on stdin: the bridge plugin's and host-local's keys, Plexus's own, capabilities, and each refusal's code.</summary>
public sealed class CniConfigTests
{
    private static CniConfig Parse(string json, Dictionary<string, string>? args = null) => CniConfig.Parse(Encoding.UTF8.GetBytes(json), args);

    private static CniError Refused(string json) => Assert.Throws<CniError>(() => Parse(json));

    [Fact]
    public void A_bridge_and_host_local_configuration_reads_as_the_reference_plugins_mean_it()
    {
        var config = Parse("""
        {"cniVersion": "1.0.0", "name": "web", "type": "plexus", "bridge": "cni-web", "isGateway": true, "isDefaultGateway": true,
         "ipMasq": true, "mtu": 1400, "hairpinMode": true, "promiscMode": false, "icc": false, "internal": false, "names": true,
         "socket": "unix:///run/p.sock",
         "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.88.0.0/16", "rangeStart": "10.88.0.10", "rangeEnd": "10.88.0.200", "gateway": "10.88.0.1"}]],
                  "routes": [{"dst": "0.0.0.0/0"}]},
         "someoneElsesKey": {"ignored": true}}
        """);
        Assert.Equal("1.0.0", config.CniVersion);
        Assert.Equal("unix:///run/p.sock", config.Socket);
        var n = config.Network;
        Assert.Equal(("web", "cni-web", 1400, true, true, false, false, true), (n.Name, n.Bridge, n.Mtu, n.IpMasq, n.HairpinMode, n.PromiscMode, n.Icc, n.Names));
        var range = Assert.Single(n.Ranges!);
        Assert.Equal(("10.88.0.0/16", "10.88.0.10", "10.88.0.200", "10.88.0.1"), (range.Subnet, range.RangeStart, range.RangeEnd, range.Gateway));
        Assert.Equal((true, true), (n.IsGateway, n.IsDefaultGateway));
        Assert.Equal(new CniRouteJson("0.0.0.0/0", null), Assert.Single(n.Routes!));
    }

    [Fact]
    public void Every_ipam_route_and_a_range_set_per_family_are_read()
    {
        var n = Parse("""
        {"cniVersion": "1.0.0", "name": "dual", "type": "plexus", "isGateway": false,
         "ipam": {"ranges": [[{"subnet": "10.1.0.0/24"}], [{"subnet": "fd00:1::/64", "gateway": "fd00:1::fe"}]],
                  "routes": [{"dst": "0.0.0.0/0"}, {"dst": "10.200.0.0/16", "gw": "10.1.0.254"}, {"dst": "::/0"}]}}
        """).Network;
        Assert.False(n.IsGateway);
        Assert.Equal(["10.1.0.0/24", "fd00:1::/64"], n.Ranges!.Select(r => r.Subnet));
        Assert.Equal([new CniRouteJson("0.0.0.0/0", null), new CniRouteJson("10.200.0.0/16", "10.1.0.254"), new CniRouteJson("::/0", null)], n.Routes!);
    }

    [Fact]
    public void Defaults_are_the_bridge_plugins_no_masquerade_and_Plexuss_icc_on_without_names()
    {
        var n = Parse("""{"cniVersion": "0.4.0", "name": "plain", "type": "plexus"}""").Network;
        Assert.False(n.IpMasq);
        Assert.True(n.Icc);
        Assert.False(n.Names);
        Assert.Null(n.Ranges);
    }

    [Fact]
    public void Capability_arguments_and_CNI_ARGS_become_the_runtime_request()
    {
        var config = Parse("""
        {"cniVersion": "1.1.0", "name": "web", "type": "plexus",
         "runtimeConfig": {"portMappings": [{"hostPort": 8080, "containerPort": 80, "protocol": "tcp", "hostIP": "127.0.0.1"}],
                           "mac": "02:42:ac:11:00:09", "aliases": {"web": ["www", "api"], "other": ["x"]},
                           "dns": {"servers": ["192.0.2.53"], "searches": ["example.test"], "options": ["ndots:2"]},
                           "ipRanges": [[{"subnet": "10.99.0.0/24"}]]}}
        """, new() { ["IP"] = "10.99.0.7" });
        var r = config.Runtime;
        var port = Assert.Single(r.PortMappings!);
        Assert.Equal((8080, 80, "tcp", "127.0.0.1"), (port.HostPort, port.ContainerPort, port.Protocol, port.HostIP));
        Assert.Equal(["10.99.0.7"], r.Ips!);
        Assert.Equal("02:42:ac:11:00:09", r.Mac);
        Assert.Equal(["www", "api"], r.Aliases!);
        Assert.Equal(["192.0.2.53"], r.DnsServers!);
        Assert.Equal(["example.test"], r.DnsSearch!);
        Assert.Equal(["ndots:2"], r.DnsOptions!);
        Assert.Equal("10.99.0.0/24", Assert.Single(config.Network.Ranges!).Subnet); // ipRanges replaces ipam's ranges
    }

    [Fact]
    public void The_pod_name_of_CNI_ARGS_is_an_alias_too()
    {
        var config = Parse("""{"cniVersion": "1.0.0", "name": "n", "type": "plexus"}""", new() { ["K8S_POD_NAME"] = "web", ["IgnoreUnknown"] = "1" });
        Assert.Equal(["web"], config.Runtime.Aliases!);
        var podman = Parse("""{"cniVersion": "1.0.0", "name": "n", "type": "plexus", "runtimeConfig": {"aliases": {"n": ["571483ca4d07"]}}}""", new() { ["K8S_POD_NAME"] = "web" });
        Assert.Equal(["571483ca4d07", "web"], podman.Runtime.Aliases!);
    }

    [Fact]
    public void The_older_flat_host_local_form_and_valid_attachments_are_read()
    {
        var config = Parse("""
        {"cniVersion": "1.1.0", "name": "n", "type": "plexus", "ipam": {"type": "host-local", "subnet": "10.5.0.0/24", "gateway": "10.5.0.254"},
         "cni.dev/valid-attachments": [{"containerID": "c1", "ifname": "eth0"}]}
        """);
        Assert.Equal(("10.5.0.0/24", "10.5.0.254"), (config.Network.Ranges![0].Subnet, config.Network.Ranges[0].Gateway));
        var keep = Assert.Single(config.ValidAttachments);
        Assert.Equal(("c1", "eth0"), (keep.ContainerId, keep.IfName));
    }

    [Fact]
    public void Every_range_of_every_set_goes_to_plexusd_saying_its_set()
    {
        var config = CniConfig.Parse("""
            {"cniVersion": "1.0.0", "name": "multi",
             "ipam": {"ranges": [[{"subnet": "10.1.0.0/24"}, {"subnet": "10.1.1.0/24", "rangeStart": "10.1.1.10"}], [{"subnet": "fd00:1::/64"}]]}}
            """u8);
        Assert.Equal([("10.1.0.0/24", 0), ("10.1.1.0/24", 0), ("fd00:1::/64", 1)], config.Network.Ranges!.Select(r => (r.Subnet, r.Set ?? -1)));
        Assert.Equal("10.1.1.10", config.Network.Ranges![1].RangeStart);
    }

    [Theory]
    [InlineData("not json", CniError.DecodeFailed, "not JSON")]
    [InlineData("[1]", CniError.DecodeFailed, "not a JSON object")]
    [InlineData("""{"name": "n"}""", CniError.InvalidConfig, "no cniVersion")]
    [InlineData("""{"cniVersion": "0.2.0", "name": "n"}""", CniError.IncompatibleVersion, "cniVersion 0.2.0 is not supported")]
    [InlineData("""{"cniVersion": "9.9.9", "name": "n"}""", CniError.IncompatibleVersion, "9.9.9")]
    [InlineData("""{"cniVersion": "1.0.0"}""", CniError.InvalidConfig, "no name")]
    [InlineData("""{"cniVersion": "1.0.0", "name": "n", "mtu": "1400"}""", CniError.DecodeFailed, "mtu must be a whole number")]
    [InlineData("""{"cniVersion": "1.0.0", "name": "n", "ipMasq": "yes"}""", CniError.DecodeFailed, "ipMasq must be true or false")]
    [InlineData("""{"cniVersion": "1.0.0", "name": "n", "ipam": {"type": "dhcp"}}""", CniError.UnsupportedField, "ipam type dhcp")]
    [InlineData("""{"cniVersion": "1.0.0", "name": "n", "ipam": {"routes": [{"gw": "10.0.0.1"}]}}""", CniError.InvalidConfig, "ipam.routes[0] has no dst")]
    [InlineData("""{"cniVersion": "1.0.0", "name": "n", "ipam": {"routes": [{"dst": 10}]}}""", CniError.DecodeFailed, "ipam.routes[0].dst")]
    [InlineData("""{"cniVersion": "1.0.0", "name": "n", "ipam": {"ranges": [[]]}}""", CniError.InvalidConfig, "ipam.ranges[0] is an empty range set")]
    [InlineData("""{"cniVersion": "1.0.0", "name": "n", "ipam": {"ranges": [[{"subnet": "10.1.0.0/24"}, {"gateway": "10.2.0.1"}]]}}""", CniError.InvalidConfig, "ipam.ranges[0][1] has no subnet")]
    [InlineData("""{"cniVersion": "1.0.0", "name": "n", "ipam": {"ranges": [[{"gateway": "10.1.0.1"}]]}}""", CniError.InvalidConfig, "has no subnet")]
    [InlineData("""{"cniVersion": "1.0.0", "name": "n", "runtimeConfig": {"portMappings": [{"containerPort": 80}]}}""", CniError.InvalidConfig, "has no hostPort")]
    [InlineData("""{"cniVersion": "1.0.0", "name": "n", "runtimeConfig": {"ips": "10.0.0.1"}}""", CniError.DecodeFailed, "runtimeConfig.ips must be a list of strings")]
    public void Each_refusal_has_the_specs_code_and_names_the_key(string json, int code, string message)
    {
        var error = Refused(json);
        Assert.Equal(code, error.Code);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_version_is_read_even_from_a_configuration_that_is_otherwise_wrong()
    {
        Assert.Equal("0.3.1", CniConfig.VersionOf("""{"cniVersion": "0.3.1", "mtu": "x"}"""u8));
        Assert.Null(CniConfig.VersionOf("garbage"u8));
        Assert.Null(CniConfig.VersionOf(""u8));
    }
}
