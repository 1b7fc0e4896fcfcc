namespace Plexus.Graph.Model;

/// <summary>A sandbox (one container's network stack) and its interfaces on the networks of the picture.</summary>
public sealed record TopologySandbox
{
    public required string Id { get; init; }
    public required string Name { get; init; }

    /// <summary>The <see cref="TopologyHost.Name"/> it lives on.</summary>
    public string Host { get; init; } = "";

    /// <summary>In join order: the first one is the sandbox's home in the picture.</summary>
    public IReadOnlyList<TopologyInterface> Interfaces { get; init; } = [];

    /// <summary>Ports it exposes ("80/tcp"): what links open.</summary>
    public IReadOnlyList<string> Exposed { get; init; } = [];
}

/// <summary>One endpoint of the sandbox: its interface on one network, and the ports published to it.</summary>
public sealed record TopologyInterface
{
    public required string NetworkId { get; init; }

    /// <summary>The interface inside the sandbox (eth0); null when the driver makes none (host, null).</summary>
    public string? Name { get; init; }

    /// <summary>Said instead of addresses when there is no interface ("host's network stack").</summary>
    public string? Note { get; init; }

    /// <summary>With prefix length: "172.18.0.2/16".</summary>
    public string? IPv4 { get; init; }

    public string? IPv6 { get; init; }

    public string? Mac { get; init; }

    /// <summary>Other names it is found by on this network (--network-alias).</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];

    public IReadOnlyList<TopologyPort> Published { get; init; } = [];
}

/// <summary>A published port: traffic to <see cref="HostIP"/>:<see cref="HostPort"/> goes to <see cref="ContainerPort"/>.</summary>
public sealed record TopologyPort(string Protocol, string HostIP, int HostPort, int ContainerPort)
{
    /// <summary>Where the outside world knocks: "0.0.0.0:8080/tcp", "[::1]:53/udp".</summary>
    public string EntryPoint => $"{(HostIP.Contains(':', StringComparison.Ordinal) ? $"[{HostIP}]" : HostIP)}:{HostPort.ToString(System.Globalization.CultureInfo.InvariantCulture)}/{Protocol}";

    /// <summary>Where it arrives inside the sandbox: "80/tcp".</summary>
    public string Target => $"{ContainerPort.ToString(System.Globalization.CultureInfo.InvariantCulture)}/{Protocol}";
}
