using System.Globalization;
using System.Net;
using System.Text.Json;
using Plexus.Engine.Controller;
using Plexus.Engine.Model;
using Plexus.Engine.Ports;
using Plexus.Kernel.Types;

namespace Plexus.Daemon.Plugin;

/// <summary>
/// Docker's remote network driver protocol (NetworkDriver.*) on Plexus's bridge: each call maps onto the
/// controller's Docker paths (<see cref="NetworkController"/>, NetworkController.Docker.cs), which own the
/// rules (nothing allocated twice, Docker's namespace never entered, idempotent removals).
/// </summary>
internal static class NetworkDriverEndpoints
{
    public const string PortMap = "com.docker.network.portmap";
    public const string ExposedPorts = "com.docker.network.endpoint.exposedports";
    public const string MacAddressKey = "com.docker.network.endpoint.macaddress";

    public static void Register(Dictionary<string, PluginHandler> handlers, NetworkController controller, PluginIpam ipam)
    {
        handlers["NetworkDriver.GetCapabilities"] = call =>
            call.WriteAsync(new NetworkCapabilities("local", "local"), PluginJson.Default.NetworkCapabilities);
        handlers["NetworkDriver.CreateNetwork"] = async call =>
        {
            var request = await call.ReadAsync(PluginJson.Default.CreateNetworkRequest);
            var id = PluginCall.Required(request.NetworkID, "NetworkID");
            var options = DockerNetworkOptions.DriverOptions(request.Options);
            bool v6 = DockerNetworkOptions.Flag(request.Options, DockerNetworkOptions.EnableIPv6);
            var subnets = Subnets(request.IPv4Data, ipam).Concat(v6 ? Subnets(request.IPv6Data, ipam) : []).ToList();
            try
            {
                // Subnets of Docker's own IPAM are held for the network in Plexus's, so Plexus's networks keep off them.
                foreach (var subnet in subnets.Where(s => s.PoolId is null)) ipam.ReserveForNetwork(id, subnet.Subnet);
                controller.CreateDockerNetwork(new DockerNetworkRequest
                {
                    Id = id,
                    Name = "docker-" + Ids.Short(id),
                    Options = options,
                    Internal = DockerNetworkOptions.Flag(request.Options, DockerNetworkOptions.Internal),
                    EnableIPv6 = v6,
                    IpamDriver = subnets.Count > 0 && subnets.All(s => s.PoolId is not null) ? PluginEndpoints.Name : "docker",
                    Subnets = subnets,
                });
            }
            catch
            {
                if (!controller.TryGetNetwork(id, out _)) ipam.ReleaseForNetwork(id);
                throw;
            }
            await call.OkAsync();
        };
        handlers["NetworkDriver.DeleteNetwork"] = async call =>
        {
            var request = await call.ReadAsync(PluginJson.Default.NetworkIdRequest);
            var id = PluginCall.Required(request.NetworkID, "NetworkID");
            controller.DeleteDockerNetwork(id);
            ipam.ReleaseForNetwork(id);
            await call.OkAsync();
        };
        handlers["NetworkDriver.CreateEndpoint"] = async call =>
        {
            var request = await call.ReadAsync(PluginJson.Default.CreateEndpointRequest);
            var given = request.Interface ?? new EndpointInterface();
            var endpoint = controller.CreateDockerEndpoint(new DockerEndpointRequest
            {
                NetworkId = PluginCall.Required(request.NetworkID, "NetworkID"),
                EndpointId = PluginCall.Required(request.EndpointID, "EndpointID"),
                IPv4 = Prefix(given.Address, "Interface.Address"),
                IPv6 = Prefix(given.AddressIPv6, "Interface.AddressIPv6"),
                Mac = string.IsNullOrEmpty(given.MacAddress) ? null : MacAddress.Parse(given.MacAddress),
            });
            // Only the MAC, and only when Docker gave none: Docker refuses an answer that changes what it gave.
            var answer = string.IsNullOrEmpty(given.MacAddress) && endpoint.Mac is { } mac ? new EndpointInterface { MacAddress = mac.ToString() } : null;
            await call.WriteAsync(new CreateEndpointResponse(answer), PluginJson.Default.CreateEndpointResponse);
        };
        handlers["NetworkDriver.DeleteEndpoint"] = async call =>
        {
            var request = await call.ReadAsync(PluginJson.Default.EndpointRequest);
            controller.DeleteDockerEndpoint(PluginCall.Required(request.NetworkID, "NetworkID"), PluginCall.Required(request.EndpointID, "EndpointID"));
            await call.OkAsync();
        };
        handlers["NetworkDriver.EndpointOperInfo"] = async call =>
        {
            var request = await call.ReadAsync(PluginJson.Default.EndpointRequest);
            var id = PluginCall.Required(request.EndpointID, "EndpointID");
            if (!controller.TryGetEndpoint(id, out var endpoint) || endpoint.NetworkId != request.NetworkID)
                throw PlexusException.NotFound($"endpoint {Ids.Short(id)} not found on network {RequestText(request.NetworkID)}");
            await call.WriteAsync(new EndpointInfoResponse(OperInfo(endpoint)), PluginJson.Default.EndpointInfoResponse);
        };
        handlers["NetworkDriver.Join"] = async call =>
        {
            var request = await call.ReadAsync(PluginJson.Default.JoinRequest);
            var joined = controller.JoinDocker(PluginCall.Required(request.NetworkID, "NetworkID"), PluginCall.Required(request.EndpointID, "EndpointID"),
                PluginCall.Required(request.SandboxKey, "SandboxKey"));
            await call.WriteAsync(new JoinResponse
            {
                InterfaceName = new InterfaceName(joined.SourceInterface, "eth"),
                Gateway = joined.Joined.GatewayV4?.ToString(),
                GatewayIPv6 = joined.Joined.GatewayV6?.ToString(),
                StaticRoutes = joined.Joined.StaticRoutes.Count == 0 ? null
                    : [.. joined.Joined.StaticRoutes.Select(r => new JoinStaticRoute(r.Destination.ToString(), r.NextHop is null ? 1 : 0, r.NextHop?.ToString()))],
                DisableGatewayService = joined.Joined.DisableGatewayService,
            }, PluginJson.Default.JoinResponse);
        };
        handlers["NetworkDriver.Leave"] = async call =>
        {
            var request = await call.ReadAsync(PluginJson.Default.EndpointRequest);
            controller.LeaveDocker(PluginCall.Required(request.NetworkID, "NetworkID"), PluginCall.Required(request.EndpointID, "EndpointID"));
            await call.OkAsync();
        };
        handlers["NetworkDriver.ProgramExternalConnectivity"] = async call =>
        {
            var request = await call.ReadAsync(PluginJson.Default.ExternalConnectivityRequest);
            var (ports, exposed) = Ports(request.Options);
            controller.PublishDockerPorts(PluginCall.Required(request.NetworkID, "NetworkID"), PluginCall.Required(request.EndpointID, "EndpointID"), ports, exposed);
            await call.OkAsync();
        };
        handlers["NetworkDriver.RevokeExternalConnectivity"] = async call =>
        {
            var request = await call.ReadAsync(PluginJson.Default.EndpointRequest);
            controller.RevokeDockerPorts(PluginCall.Required(request.NetworkID, "NetworkID"), PluginCall.Required(request.EndpointID, "EndpointID"));
            await call.OkAsync();
        };
        // Swarm's calls: a local-scope driver is never asked to allocate networks, nor told of nodes; answered all the same.
        handlers["NetworkDriver.AllocateNetwork"] = call => call.WriteAsync(new AllocateNetworkResponse([]), PluginJson.Default.AllocateNetworkResponse);
        handlers["NetworkDriver.FreeNetwork"] = call => call.OkAsync();
        handlers["NetworkDriver.DiscoverNew"] = call => call.OkAsync();
        handlers["NetworkDriver.DiscoverDelete"] = call => call.OkAsync();
    }

    /// <summary>Docker's subnets; a subnet Plexus's IPAM holds for Docker keeps its pool (and --ip-range) on record.</summary>
    private static IEnumerable<SubnetState> Subnets(List<IpamData>? data, PluginIpam ipam)
    {
        foreach (var d in data ?? [])
        {
            if (string.IsNullOrEmpty(d.Pool)) continue; // no addresses managed (Docker's null IPAM)
            var pool = IPNetwork.Parse(d.Pool);
            var gateway = d.Gateway is { Length: > 0 } g ? IPPrefix.Parse(g).Address
                : throw PlexusException.Invalid($"subnet {pool} has no gateway: Plexus's bridge routes every subnet through one");
            var held = ipam.Lookup(pool);
            yield return new SubnetState
            {
                Subnet = pool,
                Gateway = gateway,
                IPRange = held?.Range,
                AuxAddresses = (d.AuxAddresses ?? []).ToDictionary(a => a.Key, a => IPPrefix.Parse(a.Value).Address),
                UserDefined = true,
                PoolId = held?.PoolId,
            };
        }
    }

    private static IPPrefix? Prefix(string? text, string field)
    {
        if (string.IsNullOrEmpty(text)) return null;
        try
        {
            return IPPrefix.Parse(text);
        }
        catch (FormatException e)
        {
            throw PlexusException.Invalid($"{field}: {e.Message}");
        }
    }

    /// <summary>Docker's portmap (HostPort-HostPortEnd a range, 0 any) and exposed ports, from the sandbox options.</summary>
    private static (List<(PortBinding, int)> Ports, List<string> Exposed) Ports(Dictionary<string, JsonElement>? options)
    {
        var ports = new List<(PortBinding, int)>();
        var exposed = new List<string>();
        if (options is not null && options.TryGetValue(PortMap, out var map) && map.ValueKind == JsonValueKind.Array)
        {
            foreach (var b in map.Deserialize(PluginJson.Default.ListDockerPortBinding) ?? [])
            {
                if (b.Port is < 1 or > 65535) throw PlexusException.Invalid($"{PortMap}: container port {b.Port} is out of range (1 to 65535)");
                if (b.HostPort is < 0 or > 65535 || b.HostPortEnd is < 0 or > 65535)
                    throw PlexusException.Invalid($"{PortMap}: host port {b.HostPort}-{b.HostPortEnd} is out of range (0 to 65535)");
                ports.Add((new PortBinding(Protocol(b.Proto), b.Port, HostIP(b.HostIP), b.HostPort), b.HostPortEnd));
            }
        }
        if (options is not null && options.TryGetValue(ExposedPorts, out var list) && list.ValueKind == JsonValueKind.Array)
            foreach (var p in list.Deserialize(PluginJson.Default.ListDockerTransportPort) ?? [])
                exposed.Add($"{p.Port.ToString(CultureInfo.InvariantCulture)}/{Protocol(p.Proto).ToString().ToLowerInvariant()}");
        return (ports, exposed);
    }

    /// <summary>IP protocol numbers, as libnetwork's types.Protocol.</summary>
    private static PortProtocol Protocol(int number) => number switch
    {
        6 => PortProtocol.Tcp,
        17 => PortProtocol.Udp,
        132 => PortProtocol.Sctp,
        _ => throw PlexusException.Invalid($"{PortMap}: unknown protocol number {number} (6 tcp, 17 udp, 132 sctp)"),
    };

    private static int Number(PortProtocol protocol) => protocol switch
    {
        PortProtocol.Tcp => 6,
        PortProtocol.Udp => 17,
        _ => 132,
    };

    /// <summary>No host address, or the IPv4 any-address: every address.</summary>
    private static IPAddress? HostIP(string? text) =>
        string.IsNullOrEmpty(text) ? null
        : IPAddress.TryParse(text, out var ip) ? (ip.Equals(IPAddress.Any) ? null : ip)
        : throw PlexusException.Invalid($"{PortMap}: host IP '{text}' is not an IP address");

    /// <summary>EndpointOperInfo: the MAC, the published ports as bound (host ports chosen), and the host end's name.</summary>
    private static Dictionary<string, JsonElement> OperInfo(EndpointState endpoint)
    {
        var value = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (endpoint.Mac is { } mac) value[MacAddressKey] = JsonSerializer.SerializeToElement(mac.ToString(), PluginJson.Default.String);
        var bound = endpoint.PortBindings.Select(b => new DockerPortBinding
        {
            Proto = Number(b.Protocol),
            IP = endpoint.IPv4?.Address.ToString() ?? "",
            Port = b.ContainerPort,
            HostIP = b.HostIP?.ToString() ?? "",
            HostPort = b.HostPort,
            HostPortEnd = b.HostPort,
        }).ToList();
        value[PortMap] = JsonSerializer.SerializeToElement(bound, PluginJson.Default.ListDockerPortBinding);
        if (endpoint.DriverState.TryGetValue("veth", out var veth)) value["com.plexus.endpoint.veth"] = JsonSerializer.SerializeToElement(veth, PluginJson.Default.String);
        return value;
    }

    private static string RequestText(string? value) => value is null ? "(none)" : Ids.Short(value);
}
