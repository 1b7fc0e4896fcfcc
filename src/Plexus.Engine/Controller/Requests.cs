using System.Net;
using Plexus.Engine.Ipam;
using Plexus.Kernel.Types;

namespace Plexus.Engine.Controller;

/// <summary>`network create`: what the user asked for, before validation.</summary>
public sealed record NetworkCreateRequest
{
    public required string Name { get; init; }
    public string Driver { get; init; } = "bridge";
    public IReadOnlyDictionary<string, string> Options { get; init; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    public bool Internal { get; init; }
    public bool EnableIPv6 { get; init; }
    public string IpamDriver { get; init; } = "default";
    public IReadOnlyDictionary<string, string> IpamOptions { get; init; } = new Dictionary<string, string>();
    public IReadOnlyList<IpamRequest> IpamConfigs { get; init; } = [];

    /// <summary>Docker's --attachable: recorded and shown (every Plexus network can be joined).</summary>
    public bool Attachable { get; init; }

    /// <summary>Docker's --ingress: a swarm routing-mesh network, refused outside swarm.</summary>
    public bool Ingress { get; init; }

    /// <summary>"local" (or empty); swarm and global scopes need a swarm.</summary>
    public string? Scope { get; init; }

    /// <summary>--config-only: keeps a configuration for other networks to use; builds nothing.</summary>
    public bool ConfigOnly { get; init; }

    /// <summary>--config-from NAME: take the configuration of the config-only network NAME.</summary>
    public string? ConfigFrom { get; init; }
}

/// <summary>An endpoint's settings (`network connect --ip --alias`, `run --ip --mac-address`).</summary>
public sealed record EndpointCreateRequest
{
    /// <summary>Defaults to the sandbox's name when created through Connect, else to the endpoint id.</summary>
    public string? Name { get; init; }

    public IPAddress? IPv4Address { get; init; }
    public IPAddress? IPv6Address { get; init; }
    public MacAddress? Mac { get; init; }
    public IReadOnlyList<string> Aliases { get; init; } = [];
    public int GatewayPriority { get; init; }
    public IReadOnlyList<string> ExposedPorts { get; init; } = [];

    /// <summary>Ports to publish; a host port of 0 gets a free one.</summary>
    public IReadOnlyList<Ports.PortBinding> PublishedPorts { get; init; } = [];

    /// <summary>Extra addresses on the interface (Docker's LinkLocalIPs): /16 for IPv4, /64 for IPv6.</summary>
    public IReadOnlyList<IPAddress> LinkLocalAddresses { get; init; } = [];

    /// <summary>Links scoped to this network ("name:alias"): the alias resolves to that sandbox for this one only.</summary>
    public IReadOnlyList<string> Links { get; init; } = [];

    /// <summary>Driver options of the endpoint (Docker's DriverOpts), kept and shown.</summary>
    public IReadOnlyDictionary<string, string> DriverOptions { get; init; } = new Dictionary<string, string>();

    /// <summary>The interface's name inside the sandbox (CNI_IFNAME), for `Connect`; null: eth0, eth1, ... in join order.</summary>
    public string? InterfaceName { get; init; }
}

/// <summary>How a sandbox gets its namespace.</summary>
public enum SandboxNamespaceMode
{
    /// <summary>A new namespace that Plexus creates and deletes.</summary>
    New,

    /// <summary>An existing namespace, given by path (a bind mount, /proc/PID/ns/net).</summary>
    Path,

    /// <summary>The namespace of a running process, by PID (e.g. a container started with --net=none).</summary>
    Pid,

    /// <summary>The daemon's own namespace (the host network).</summary>
    Host,
}

public sealed record SandboxCreateRequest
{
    public required string Name { get; init; }
    public SandboxNamespaceMode Mode { get; init; } = SandboxNamespaceMode.New;
    public string? NamespacePath { get; init; }
    public int? Pid { get; init; }
    public string? Hostname { get; init; }
    public IReadOnlyList<string> DnsServers { get; init; } = [];
    public IReadOnlyList<string> DnsSearch { get; init; } = [];
    public IReadOnlyList<string> DnsOptions { get; init; } = [];
    public IReadOnlyList<string> ExtraHosts { get; init; } = [];
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    public IReadOnlyList<Model.SandboxLink> Links { get; init; } = [];

    /// <summary>Every capability, no no_new_privs, nothing hidden, for every process started in the sandbox.</summary>
    public bool Privileged { get; init; }

    /// <summary>Capabilities added to or dropped from Docker's default set (NET_ADMIN or CAP_NET_ADMIN, ALL).</summary>
    public IReadOnlyList<string> CapAdd { get; init; } = [];

    public IReadOnlyList<string> CapDrop { get; init; } = [];
}
