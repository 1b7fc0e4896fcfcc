using System.Net;

namespace Plexus.Engine.Cluster;

/// <summary>
/// Where the engine keeps global objects in the global store (paths under the store's prefix, /plexus in etcd).
/// One place, so the layout is read at a glance:
/// <list type="bullet">
/// <item>/networks/NAME: a global network (its NetworkState as JSON); keyed by name, so creating it only if absent
/// makes the name unique cluster-wide in one transaction.</item>
/// <item>/overlay/vni/N: the network id holding VXLAN id N (created only if absent: compare-and-swap).</item>
/// <item>/ipam/pools: every global network's subnets, one entry changed by compare-and-swap, so two hosts never
/// make overlapping networks.</item>
/// <item>/ipam/addresses/NETWORK/IP: who holds an address of a global network (created only if absent).</item>
/// <item>/overlay/endpoints/NETWORK/ENDPOINT: a joined endpoint (address, MAC, host, VTEP), under its host's
/// lease: it disappears with the host.</item>
/// </list>
/// </summary>
public static class GlobalKeys
{
    public const string Networks = "/networks/";
    public const string Vnis = "/overlay/vni/";
    public const string Pools = "/ipam/pools";
    public const string Addresses = "/ipam/addresses/";
    public const string Endpoints = "/overlay/endpoints/";

    /// <summary>Hosts' registrations (written by the cluster membership): a host whose key is gone is dead.</summary>
    public const string Hosts = "/hosts/";

    public static string Network(string name) => Networks + name;

    public static string Vni(uint vni) => Vnis + vni.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static string AddressesOf(string networkId) => $"{Addresses}{networkId}/";

    public static string Address(string networkId, IPAddress address) => AddressesOf(networkId) + address;

    public static string EndpointsOf(string networkId) => $"{Endpoints}{networkId}/";

    public static string Endpoint(string networkId, string endpointId) => EndpointsOf(networkId) + endpointId;

    public static string Host(string hostId) => Hosts + hostId;
}
