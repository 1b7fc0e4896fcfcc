using System.Text.Json;
using Plexus.Cli.Commands;
using Plexus.Client;
using Plexus.Cli.Tests.Support;

namespace Plexus.Cli.Tests.Requests;

/// <summary>docker network flags into the bodies the daemon reads.</summary>
public class NetworkRequestTests
{
    private static string CreateBody(params string[] args)
    {
        var (command, parse) = PlexusCli.Parse<NetworkCreateCommand>(["network", "create", .. args]);
        return JsonSerializer.Serialize(command.BuildRequest(parse), DaemonClient.RequestJson.NetworkCreateJson);
    }

    [Fact]
    public void Create_with_subnet_gateway_range_internal_ipv6_and_an_option()
    {
        var body = CreateBody("--subnet", "10.1.0.0/24", "--gateway", "10.1.0.1", "--ip-range", "10.1.0.128/25", "--internal", "--ipv6",
            "-o", "com.docker.network.bridge.enable_icc=false", "web");
        JsonAssert.Equal("""
            {
              "Name": "web",
              "Driver": "bridge",
              "Internal": true,
              "EnableIPv6": true,
              "IPAM": { "Driver": "default", "Config": [ { "Subnet": "10.1.0.0/24", "IPRange": "10.1.0.128/25", "Gateway": "10.1.0.1" } ] },
              "Options": { "com.docker.network.bridge.enable_icc": "false" }
            }
            """, body);
    }

    [Fact]
    public void Create_with_nothing_but_a_name_sends_docker_defaults_and_leaves_the_rest_to_the_daemon() =>
        JsonAssert.Equal("""{ "Name": "plain", "Driver": "bridge", "IPAM": { "Driver": "default", "Config": [] } }""", CreateBody("plain"));

    [Fact]
    public void Create_with_every_other_flag()
    {
        var body = CreateBody("-d", "null", "--label", "env=prod", "--label", "flag", "--ipam-driver", "custom", "--ipam-opt", "a=b",
            "--subnet=172.20.0.0/16", "--aux-address", "router=172.20.0.2", "--aux-address", "printer=172.20.0.3", "--opt", "k=v", "--opt", "k=w", "lab");
        JsonAssert.Equal("""
            {
              "Name": "lab",
              "Driver": "null",
              "IPAM": {
                "Driver": "custom",
                "Options": { "a": "b" },
                "Config": [ { "Subnet": "172.20.0.0/16", "AuxiliaryAddresses": { "router": "172.20.0.2", "printer": "172.20.0.3" } } ]
              },
              "Options": { "k": "w" },
              "Labels": { "env": "prod", "flag": "" }
            }
            """, body);
    }

    [Fact]
    public void Ranges_and_gateways_go_to_the_subnet_that_holds_them_whatever_the_order()
    {
        var body = CreateBody("--subnet", "10.1.0.0/24", "--subnet", "fd00:1::/64", "--gateway", "fd00:1::1", "--gateway", "10.1.0.254",
            "--ip-range", "10.1.0.0/25", "--ipv6", "dual");
        JsonAssert.Equal("""
            {
              "Name": "dual", "Driver": "bridge", "EnableIPv6": true,
              "IPAM": { "Driver": "default", "Config": [
                { "Subnet": "10.1.0.0/24", "IPRange": "10.1.0.0/25", "Gateway": "10.1.0.254" },
                { "Subnet": "fd00:1::/64", "Gateway": "fd00:1::1" } ] }
            }
            """, body);
    }

    [Fact]
    public void An_explicit_false_is_sent_as_false() =>
        Assert.Contains("\"EnableIPv6\":false", CreateBody("--ipv6=false", "x"), StringComparison.Ordinal);

    [Theory]
    [InlineData("every ip-range or gateway must have a corresponding subnet", "--gateway", "10.1.0.1")]
    [InlineData("no matching subnet for gateway 10.9.0.1", "--subnet", "10.1.0.0/24", "--gateway", "10.9.0.1")]
    [InlineData("no matching subnet for range 10.9.0.0/25", "--subnet", "10.1.0.0/24", "--ip-range", "10.9.0.0/25")]
    [InlineData("no matching subnet for aux-address 10.9.0.3", "--subnet", "10.1.0.0/24", "--aux-address", "a=10.9.0.3")]
    [InlineData("cannot configure multiple gateways (10.1.0.2, 10.1.0.1) for the same subnet (10.1.0.0/24)",
        "--subnet", "10.1.0.0/24", "--subnet", "10.2.0.0/24", "--gateway", "10.1.0.1", "--gateway", "10.1.0.2")]
    [InlineData("multiple overlapping subnet configuration is not supported", "--subnet", "10.1.0.0/16", "--subnet", "10.1.2.0/24")]
    [InlineData("invalid subnet '10.1.0.0': expected an address with a prefix length, e.g. 172.18.0.0/16", "--subnet", "10.1.0.0")]
    [InlineData("invalid gateway 'gw': not an IP address", "--subnet", "10.1.0.0/24", "--gateway", "gw")]
    [InlineData("invalid --aux-address 'router': expected KEY=VALUE", "--subnet", "10.1.0.0/24", "--aux-address", "router")]
    public void Ipam_flags_that_do_not_fit_together_are_usage_errors(string message, params string[] flags)
    {
        var (command, parse) = PlexusCli.Parse<NetworkCreateCommand>(["network", "create", .. flags, "n"]);
        var e = Assert.Throws<UsageException>(() => command.BuildRequest(parse));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Connect_with_addresses_and_aliases()
    {
        var (command, parse) = PlexusCli.Parse<NetworkConnectCommand>("network", "connect", "--ip", "10.1.0.5", "--ip6", "fd00::5", "--alias", "db", "--alias", "pg", "web", "c1");
        var (network, body) = command.BuildRequest(parse);
        Assert.Equal("web", network);
        JsonAssert.Equal("""
            { "Container": "c1", "EndpointConfig": { "IPAMConfig": { "IPv4Address": "10.1.0.5", "IPv6Address": "fd00::5" }, "Aliases": ["db", "pg"] } }
            """, JsonSerializer.Serialize(body, DaemonClient.RequestJson.NetworkConnectJson));
    }

    [Fact]
    public void Connect_with_no_flags_sends_an_empty_endpoint_config()
    {
        var (command, parse) = PlexusCli.Parse<NetworkConnectCommand>("network", "connect", "web", "c1");
        JsonAssert.Equal("""{ "Container": "c1", "EndpointConfig": {} }""", JsonSerializer.Serialize(command.BuildRequest(parse).Body, DaemonClient.RequestJson.NetworkConnectJson));
    }
}
