using System.Net;

namespace Plexus.Engine.Model;

/// <summary>
/// A network as the controller keeps it and the store persists it. Immutable: a change is a new record
/// committed to the store before the operation reports success.
/// </summary>
public sealed record NetworkState
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string Driver { get; init; }
    public DateTimeOffset Created { get; init; }

    /// <summary>Driver options as Docker spells them (com.docker.network.bridge.name, ...enable_icc, ...).</summary>
    public IReadOnlyDictionary<string, string> Options { get; init; } = new Dictionary<string, string>();

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>No traffic leaves the subnet; nothing is masqueraded.</summary>
    public bool Internal { get; init; }

    public bool EnableIPv6 { get; init; }

    /// <summary>Which store holds the network: local (this host's) or global (shared by the hosts, etcd).</summary>
    public DataScope Scope { get; init; }

    public string IpamDriver { get; init; } = "default";

    public IReadOnlyDictionary<string, string> IpamOptions { get; init; } = new Dictionary<string, string>();

    /// <summary>The subnets IPAM assigned (IPv4 first, then IPv6).</summary>
    public IReadOnlyList<SubnetState> Subnets { get; init; } = [];

    /// <summary>
    /// IPAM configuration kept as asked but not allocated, as Docker keeps and shows it: all of a config-only
    /// network's, and the IPv6 subnets given to a network without IPv6.
    /// </summary>
    public IReadOnlyList<Ipam.IpamRequest> UnallocatedIpam { get; init; } = [];

    public bool Attachable { get; init; }

    /// <summary>A configuration other networks take with --config-from; no driver, no addresses, no endpoints.</summary>
    public bool ConfigOnly { get; init; }

    /// <summary>The config-only network this one took its configuration from (by name, as Docker records it).</summary>
    public string? ConfigFrom { get; init; }

    /// <summary>What the driver needs to find its kernel objects again (e.g. the bridge's name).</summary>
    public IReadOnlyDictionary<string, string> DriverState { get; init; } = new Dictionary<string, string>();

    /// <summary>Written before the kernel work starts; cleared once it is done. A restart rolls back pending records.</summary>
    public bool Pending { get; init; }
}

/// <summary>One subnet of a network with its gateway, optional allocation range and reserved addresses.</summary>
public sealed record SubnetState
{
    public required IPNetwork Subnet { get; init; }

    /// <summary>Addresses for endpoints are taken from here when set (--ip-range).</summary>
    public IPNetwork? IPRange { get; init; }

    public required IPAddress Gateway { get; init; }

    /// <summary>Addresses IPAM must never hand out (--aux-address name=ip).</summary>
    public IReadOnlyDictionary<string, IPAddress> AuxAddresses { get; init; } = new Dictionary<string, IPAddress>();

    /// <summary>True when the user chose the subnet; false when it came from the default pools.</summary>
    public bool UserDefined { get; init; }

    /// <summary>
    /// The id of the IPAM driver's pool that holds the subnet (null in records written before pools), so
    /// a driver that keeps its own state can be asked about it again after a restart.
    /// </summary>
    public string? PoolId { get; init; }

    public int IpVersion => Subnet.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 4 : 6;
}
