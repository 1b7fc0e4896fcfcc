using Plexus.Kernel.Types;

namespace Plexus.Engine.Model;

/// <summary>An endpoint: one sandbox's attachment to one network. Keeps its addresses across leave and join.</summary>
public sealed record EndpointState
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string NetworkId { get; init; }

    /// <summary>The sandbox it is joined to, or null while not joined.</summary>
    public string? SandboxId { get; init; }

    public IPPrefix? IPv4 { get; init; }
    public IPPrefix? IPv6 { get; init; }
    public MacAddress? Mac { get; init; }

    /// <summary>Names under which the endpoint is found on its network (--network-alias).</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];

    /// <summary>Higher wins the sandbox's default gateway; ties go to the endpoint joined first.</summary>
    public int GatewayPriority { get; init; }

    /// <summary>The interface name inside the sandbox (eth0, eth1, ... in join order) while joined.</summary>
    public string? InterfaceName { get; init; }

    /// <summary>
    /// What its driver's join returned (gateways offered, routes, a moved interface) while joined; null while not
    /// joined, and for endpoints stored joined by versions before it was recorded (restore fills it in).
    /// </summary>
    public JoinResult? Joined { get; init; }

    /// <summary>Join sequence number inside its sandbox, for eth numbering and gateway ties.</summary>
    public long JoinOrder { get; init; }

    /// <summary>Ports the container exposes ("80/tcp"), for links and published ports.</summary>
    public IReadOnlyList<string> ExposedPorts { get; init; } = [];

    /// <summary>Published ports, concrete (host ports chosen).</summary>
    public IReadOnlyList<Ports.PortBinding> PortBindings { get; init; } = [];

    public IReadOnlyDictionary<string, string> DriverState { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Created on its own (CNM's create endpoint), so it outlives a leave. One made by `network connect` or
    /// `run --network` exists only while joined: leaving deletes it in the same store write, and a restart
    /// deletes one found unjoined (what a crash between the two writes of older versions left).
    /// </summary>
    public bool Standalone { get; init; }

    /// <summary>The addresses the user asked for (Docker's IPAMConfig), apart from those IPAM chose.</summary>
    public System.Net.IPAddress? RequestedIPv4 { get; init; }

    public System.Net.IPAddress? RequestedIPv6 { get; init; }

    /// <summary>Extra addresses on the interface (Docker's LinkLocalIPs).</summary>
    public IReadOnlyList<System.Net.IPAddress> LinkLocalAddresses { get; init; } = [];

    /// <summary>Links scoped to this endpoint's network, "name:alias" as given.</summary>
    public IReadOnlyList<string> Links { get; init; } = [];

    /// <summary>The endpoint's driver options as given (Docker's DriverOpts).</summary>
    public IReadOnlyDictionary<string, string> DriverOptions { get; init; } = new Dictionary<string, string>();

    public bool Pending { get; init; }

    /// <summary>Which store holds the endpoint: its network's scope.</summary>
    public DataScope Scope { get; init; }
}
