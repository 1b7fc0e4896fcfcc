namespace Plexus.Graph.Model;

/// <summary>A network as the picture shows it: what it is and what it lets through.</summary>
public sealed record TopologyNetwork
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string Driver { get; init; }

    /// <summary>"local" (one host) or "global" (spans hosts).</summary>
    public string Scope { get; init; } = "local";

    public IReadOnlyList<TopologySubnet> Subnets { get; init; } = [];

    /// <summary>The Linux bridge (bridge driver), else null.</summary>
    public string? Bridge { get; init; }

    /// <summary>Inter-container communication; off means sandboxes reach each other only through links.</summary>
    public bool Icc { get; init; } = true;

    /// <summary>No traffic leaves the subnet.</summary>
    public bool Internal { get; init; }

    /// <summary>Outbound traffic is masqueraded behind the host's addresses: the network reaches the outside world.</summary>
    public bool Masquerade { get; init; }
}

/// <summary>One subnet, printed as the user wrote it ("172.18.0.0/16"), with its gateway and allocation range.</summary>
public sealed record TopologySubnet(string Subnet, string? Gateway, string? IPRange = null);
