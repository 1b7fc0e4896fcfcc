using System.Net;
using Plexus.Engine.Model;
using Plexus.Kernel.Types;

namespace Plexus.Engine.Ipam;

/// <summary>One `--subnet` group of `network create`: every member optional.</summary>
public sealed record IpamRequest
{
    public IPNetwork? Subnet { get; init; }
    public IPNetwork? IPRange { get; init; }
    public IPAddress? Gateway { get; init; }
    public IReadOnlyDictionary<string, IPAddress> AuxAddresses { get; init; } = new Dictionary<string, IPAddress>();
}

/// <summary>
/// Address management of networks, as the controller sees it: each network's subnets are pools of the IPAM
/// driver it names (<see cref="IIpamDriver"/>), its gateway and auxiliary addresses are held in them, and
/// endpoint addresses come from them. <see cref="IpamService"/> implements it over an <see cref="IpamRegistry"/>.
/// Thread-safe. Errors are <see cref="PlexusException"/>s whose message names the network and the address
/// or subnet at fault.
/// </summary>
public interface IIpam
{
    /// <summary>The IPAM drivers networks may name; <see cref="IpamRegistry.Get"/> refuses an unknown one with a 404.</summary>
    IpamRegistry Drivers { get; }

    /// <summary>
    /// Assigns the subnets of a new network through IPAM driver <paramref name="driver"/>: the user's,
    /// validated (gateway inside, range inside, no overlap with another network), or free ones from the
    /// default pools that overlap neither another network nor any of <paramref name="hostPrefixes"/> (routes
    /// and addresses already on the host). An IPv6 subnet is assigned only when <paramref name="enableIPv6"/>
    /// is set. A driver that manages no addresses (null) gives no subnet. An unknown driver is a 404 naming it.
    /// </summary>
    IReadOnlyList<SubnetState> AddNetwork(string networkId, string networkName, IReadOnlyList<IpamRequest> requests,
        bool enableIPv6, IReadOnlyDictionary<string, string> options, IReadOnlyCollection<IPNetwork> hostPrefixes,
        string driver = IpamRegistry.DefaultDriver, DataScope scope = DataScope.Local);

    /// <summary>Re-registers a network read from the store after a restart, with the addresses its endpoints hold.</summary>
    void RestoreNetwork(string networkId, string networkName, IReadOnlyList<SubnetState> subnets,
        IReadOnlyDictionary<string, string> options, IEnumerable<IPAddress> allocated,
        string driver = IpamRegistry.DefaultDriver, DataScope scope = DataScope.Local);

    /// <summary>Forgets a network and releases its pools; its subnets become free again. Unknown ids are ignored.</summary>
    void RemoveNetwork(string networkId);

    /// <summary>
    /// Allocates an address of the given IP version: <paramref name="requested"/> if given (it must be in
    /// a subnet, not in use, not the gateway or an aux address), else the first free one (or the next
    /// after the last handed out, when the network's IPAM options ask for serial allocation), trying the
    /// network's subnets of that version in order. Returns the address with the subnet's prefix length.
    /// </summary>
    IPPrefix Allocate(string networkId, int ipVersion, IPAddress? requested = null);

    /// <summary>Returns an address to its pool. Releasing an address not in use is a no-op.</summary>
    void Release(string networkId, IPAddress address);
}
