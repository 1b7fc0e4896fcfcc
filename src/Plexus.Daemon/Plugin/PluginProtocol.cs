using System.Text.Json;

namespace Plexus.Daemon.Plugin;

// The request and response bodies of Docker's plugin protocols, with the field names Docker's Go structs have
// (libnetwork's drivers/remote/api and ipams/remote/api; docs/remote.md and docs/ipam.md). Go reads absent fields
// as empty and ignores unknown ones, so optional members are left out when null.

/// <summary>/Plugin.Activate's answer: the plugin kinds served.</summary>
internal sealed record ActivateResponse(IReadOnlyList<string> Implements);

/// <summary>A network driver's error: Docker reads Err (also from a non-2xx answer).</summary>
internal sealed record NetworkError(string Err);

/// <summary>An IPAM driver's error: the IPAM protocol's Error, and Err, which Docker's plugin client reads from a non-2xx answer.</summary>
internal sealed record IpamError(string Error, string Err);

/// <summary>An answer with nothing in it: success.</summary>
internal sealed record Empty;

internal sealed record NetworkCapabilities(string Scope, string ConnectivityScope);

/// <summary>One subnet of CreateNetwork's IPv4Data/IPv6Data (driverapi.IPAMData): CIDR strings; the gateway with the pool's prefix length.</summary>
internal sealed record IpamData
{
    public string? AddressSpace { get; init; }
    public string? Pool { get; init; }
    public string? Gateway { get; init; }
    public Dictionary<string, string>? AuxAddresses { get; init; }
}

internal sealed record CreateNetworkRequest
{
    public string? NetworkID { get; init; }
    public Dictionary<string, JsonElement>? Options { get; init; }
    public List<IpamData>? IPv4Data { get; init; }
    public List<IpamData>? IPv6Data { get; init; }
}

internal sealed record NetworkIdRequest
{
    public string? NetworkID { get; init; }
}

internal sealed record EndpointInterface
{
    public string? Address { get; init; }
    public string? AddressIPv6 { get; init; }
    public string? MacAddress { get; init; }
}

internal sealed record CreateEndpointRequest
{
    public string? NetworkID { get; init; }
    public string? EndpointID { get; init; }
    public EndpointInterface? Interface { get; init; }
    public Dictionary<string, JsonElement>? Options { get; init; }
}

/// <summary>Only what the driver adds: Docker refuses an answer that changes an address it gave.</summary>
internal sealed record CreateEndpointResponse(EndpointInterface? Interface);

/// <summary>DeleteEndpoint, EndpointOperInfo, Leave, RevokeExternalConnectivity.</summary>
internal sealed record EndpointRequest
{
    public string? NetworkID { get; init; }
    public string? EndpointID { get; init; }
}

internal sealed record EndpointInfoResponse(Dictionary<string, JsonElement> Value);

internal sealed record JoinRequest
{
    public string? NetworkID { get; init; }
    public string? EndpointID { get; init; }
    public string? SandboxKey { get; init; }
    public Dictionary<string, JsonElement>? Options { get; init; }
}

internal sealed record InterfaceName(string SrcName, string DstPrefix);

/// <summary>libnetwork's route types: 0 through a next hop, 1 onto the link.</summary>
internal sealed record JoinStaticRoute(string Destination, int RouteType, string? NextHop);

internal sealed record JoinResponse
{
    public required InterfaceName InterfaceName { get; init; }
    public string? Gateway { get; init; }
    public string? GatewayIPv6 { get; init; }
    public List<JoinStaticRoute>? StaticRoutes { get; init; }
    public bool DisableGatewayService { get; init; }
}

internal sealed record ExternalConnectivityRequest
{
    public string? NetworkID { get; init; }
    public string? EndpointID { get; init; }
    public Dictionary<string, JsonElement>? Options { get; init; }
}

/// <summary>libnetwork's types.PortBinding: Proto is the IP protocol number (6 tcp, 17 udp, 132 sctp); IPs as strings, empty for none.</summary>
internal sealed record DockerPortBinding
{
    public int Proto { get; init; }
    public string? IP { get; init; }
    public int Port { get; init; }
    public string? HostIP { get; init; }
    public int HostPort { get; init; }
    public int HostPortEnd { get; init; }
}

/// <summary>libnetwork's types.TransportPort (exposed ports).</summary>
internal sealed record DockerTransportPort
{
    public int Proto { get; init; }
    public int Port { get; init; }
}

internal sealed record AllocateNetworkResponse(Dictionary<string, string> Options);

internal sealed record IpamCapabilitiesResponse(bool RequiresMACAddress, bool RequiresRequestReplay);

internal sealed record AddressSpacesResponse(string LocalDefaultAddressSpace, string GlobalDefaultAddressSpace);

internal sealed record RequestPoolRequest
{
    public string? AddressSpace { get; init; }
    public string? Pool { get; init; }
    public string? SubPool { get; init; }
    public Dictionary<string, string>? Options { get; init; }
    public bool V6 { get; init; }
}

internal sealed record RequestPoolResponse(string PoolID, string Pool, Dictionary<string, string> Data);

internal sealed record ReleasePoolRequest
{
    public string? PoolID { get; init; }
}

internal sealed record RequestAddressRequest
{
    public string? PoolID { get; init; }
    public string? Address { get; init; }
    public Dictionary<string, string>? Options { get; init; }
}

internal sealed record RequestAddressResponse(string Address, Dictionary<string, string> Data);

internal sealed record ReleaseAddressRequest
{
    public string? PoolID { get; init; }
    public string? Address { get; init; }
}
