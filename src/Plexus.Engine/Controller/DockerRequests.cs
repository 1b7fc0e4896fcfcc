using Plexus.Engine.Model;
using Plexus.Kernel.Types;

namespace Plexus.Engine.Controller;

/// <summary>
/// A network Docker creates through the plugin protocol (NetworkDriver.CreateNetwork): Docker's id, and the
/// subnets Docker's IPAM (Plexus's own when `--ipam-driver plexus`) already holds, so nothing is allocated again.
/// </summary>
public sealed record DockerNetworkRequest
{
    /// <summary>Docker's network id (64 hex), kept as Plexus's id.</summary>
    public required string Id { get; init; }

    /// <summary>Plexus's name for it; Docker does not send its own.</summary>
    public required string Name { get; init; }

    /// <summary>The bridge options of `docker network create -o` (com.docker.network.generic), as Plexus's bridge reads them.</summary>
    public IReadOnlyDictionary<string, string> Options { get; init; } = new Dictionary<string, string>();

    public bool Internal { get; init; }
    public bool EnableIPv6 { get; init; }

    /// <summary>The IPAM driver Docker used ("plexus" when Plexus's, else Docker's own), recorded to show.</summary>
    public string IpamDriver { get; init; } = "";

    /// <summary>Docker's subnets with their gateways; <see cref="SubnetState.PoolId"/> is the plugin pool when Plexus's IPAM holds it.</summary>
    public IReadOnlyList<SubnetState> Subnets { get; init; } = [];
}

/// <summary>An endpoint Docker creates (NetworkDriver.CreateEndpoint), with the addresses Docker's IPAM already gave it.</summary>
public sealed record DockerEndpointRequest
{
    public required string NetworkId { get; init; }
    public required string EndpointId { get; init; }
    public IPPrefix? IPv4 { get; init; }
    public IPPrefix? IPv6 { get; init; }
    public MacAddress? Mac { get; init; }
}

/// <summary>What a Docker join hands back: the interface for Docker to move in, and the gateways and routes Docker configures with it.</summary>
public sealed record DockerJoinResult(string SourceInterface, JoinResult Joined);
