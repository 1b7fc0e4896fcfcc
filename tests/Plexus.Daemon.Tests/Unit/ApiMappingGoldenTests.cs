using System.Net;
using System.Text.Encodings.Web;
using System.Text.Json;
using Plexus.Api;
using Plexus.Daemon.Api;
using Plexus.Engine.Model;
using Plexus.Engine.Ports;
using Plexus.Engine.Sandboxes;
using Plexus.Kernel.Types;

namespace Plexus.Daemon.Tests.Unit;

/// <summary>
/// The Docker API's JSON for fixed engine records, compared with golden files in Unit/Golden (Docker's shapes:
/// docker network inspect, docker inspect). A change to a mapping shows as a diff of what clients read.
/// With PLEXUS_UPDATE_GOLDEN=1 a mismatch rewrites the file instead of failing: review the diff.
/// </summary>
public sealed class ApiMappingGoldenTests
{
    private static readonly DateTimeOffset Created = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);

    private static readonly NetworkState Web = new()
    {
        Id = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90",
        Name = "web",
        Driver = "bridge",
        Created = Created,
        Options = new Dictionary<string, string> { ["com.docker.network.bridge.name"] = "br-web" },
        Labels = new Dictionary<string, string> { ["team"] = "blue" },
        EnableIPv6 = true,
        Subnets =
        [
            new SubnetState
            {
                Subnet = IPNetwork.Parse("172.20.0.0/16"),
                IPRange = IPNetwork.Parse("172.20.5.0/24"),
                Gateway = IPAddress.Parse("172.20.0.1"),
                AuxAddresses = new Dictionary<string, IPAddress> { ["printer"] = IPAddress.Parse("172.20.0.9") },
                UserDefined = true,
            },
            new SubnetState { Subnet = IPNetwork.Parse("fd00:20::/64"), Gateway = IPAddress.Parse("fd00:20::1"), UserDefined = true },
        ],
    };

    private static readonly SandboxState Api = new()
    {
        Id = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0",
        Name = "api",
        NamespacePath = "/run/plexus/netns/0f1e2d3c4b5a",
        Owned = true,
        Hostname = "api-host",
        DnsServers = ["192.0.2.53"],
        DnsSearch = ["example.internal"],
        ExtraHosts = ["db:172.20.5.99"],
        Labels = new Dictionary<string, string> { ["tier"] = "backend" },
        Links = [new SandboxLink("db", "database")],
        CapAdd = ["NET_ADMIN"],
        Created = Created,
        Process = new SandboxProcessState
        {
            Command = ["httpd", "-f", "-p", "80"],
            Pid = 4242,
            StartedAt = Created.AddSeconds(1),
            Environment = ["MODE=test"],
            ExitCode = 3,
            FinishedAt = Created.AddMinutes(5),
        },
    };

    private static readonly EndpointState ApiOnWeb = new()
    {
        Id = "e0e1e2e3e4e5e6e7e8e9eaebecedeeefe0e1e2e3e4e5e6e7e8e9eaebecedeeef",
        Name = "api",
        NetworkId = Web.Id,
        SandboxId = Api.Id,
        IPv4 = IPPrefix.Parse("172.20.5.2/16"),
        IPv6 = IPPrefix.Parse("fd00:20::2/64"),
        Mac = MacAddress.Parse("02:42:ac:14:05:02"),
        Aliases = ["backend"],
        InterfaceName = "eth0",
        ExposedPorts = ["80/tcp", "9000/udp"],
        PortBindings = [new PortBinding(PortProtocol.Tcp, 80, null, 8080), new PortBinding(PortProtocol.Tcp, 80, IPAddress.Parse("127.0.0.1"), 8081)],
        RequestedIPv4 = IPAddress.Parse("172.20.5.2"),
        // What the bridge's join returned: the gateways inspect shows are the ones recorded here.
        Joined = new JoinResult { GatewayV4 = IPAddress.Parse("172.20.0.1"), GatewayV6 = IPAddress.Parse("fd00:20::1") },
    };

    [Fact]
    public void Network_inspect_of_a_bridge_with_a_container() =>
        Check("network-inspect-bridge.json", JsonSerializer.Serialize(
            NetworkMapping.ToJson(Web, new Dictionary<string, NetworkContainerJson> { [Api.Id] = NetworkMapping.ContainerJson(ApiOnWeb, Api.Name) }),
            DaemonJson.Relaxed.NetworkJson));

    [Fact]
    public void Network_inspect_of_a_config_only_network_shows_its_unallocated_ipam()
    {
        var configOnly = new NetworkState
        {
            Id = "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfc0c1c2c3c4c5c6c7c8c9cacbcccdcecf",
            Name = "template",
            Driver = "null",
            Created = Created,
            ConfigOnly = true,
            UnallocatedIpam =
            [
                new Engine.Ipam.IpamRequest { Subnet = IPNetwork.Parse("fd00:30::/64") },
                new Engine.Ipam.IpamRequest { Subnet = IPNetwork.Parse("10.30.0.0/24"), Gateway = IPAddress.Parse("10.30.0.254") },
            ],
        };
        Check("network-inspect-config-only.json", JsonSerializer.Serialize(NetworkMapping.ToJson(configOnly, []), DaemonJson.Relaxed.NetworkJson));
    }

    [Fact]
    public void Container_inspect_of_an_exited_sandbox_on_a_bridge() =>
        Check("container-inspect-exited.json", JsonSerializer.Serialize(
            ContainerMapping.Inspect(Api, isHostNamespace: false, [new JoinedEndpoint(ApiOnWeb, Web)], new SandboxFiles("/run/plexus/sandboxes", []), running: false),
            DaemonJson.Relaxed.ContainerInspectJson));

    [Fact]
    public void Container_inspect_of_a_sandbox_on_no_network()
    {
        var alone = new SandboxState { Id = "1111111111111111111111111111111111111111111111111111111111111111", Name = "alone", NamespacePath = "/run/plexus/netns/111111111111", Owned = true, Created = Created };
        Check("container-inspect-no-network.json", JsonSerializer.Serialize(
            ContainerMapping.Inspect(alone, isHostNamespace: false, [], new SandboxFiles("/run/plexus/sandboxes", []), running: true),
            DaemonJson.Relaxed.ContainerInspectJson));
    }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Compared as indented JSON text, so a diff of the golden file reads as a diff of the answer.</summary>
    private static void Check(string fileName, string json)
    {
        using var doc = JsonDocument.Parse(json);
        var actual = JsonSerializer.Serialize(doc.RootElement, Indented) + "\n";
        var path = Path.Combine(AppContext.BaseDirectory, "Unit", "Golden", fileName);
        if (Environment.GetEnvironmentVariable("PLEXUS_UPDATE_GOLDEN") == "1")
        {
            var source = Path.Combine(RepositoryRoot(), "tests", "Plexus.Daemon.Tests", "Unit", "Golden", fileName);
            if (!File.Exists(source) || File.ReadAllText(source) != actual) File.WriteAllText(source, actual);
            return;
        }
        Assert.True(File.Exists(path), $"golden file {fileName} is missing: run the test with PLEXUS_UPDATE_GOLDEN=1 to write it");
        Assert.Equal(File.ReadAllText(path), actual);
    }

    private static string RepositoryRoot()
    {
        var dir = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(dir, "Plexus.slnx"))) dir = Path.GetDirectoryName(dir) ?? throw new DirectoryNotFoundException("Plexus.slnx not found above the tests");
        return dir;
    }
}
