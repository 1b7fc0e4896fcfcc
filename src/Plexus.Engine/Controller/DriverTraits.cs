using Plexus.Engine.Drivers;
using Plexus.Engine.Drivers.Macvlan;
using Plexus.Engine.Model;

namespace Plexus.Engine.Controller;

/// <summary>
/// What the controller does for a network depending on its driver, in one place until drivers declare their
/// capabilities: addresses from IPAM and names through the embedded resolver for bridge, macvlan and ipvlan
/// networks; a default gateway where the driver offers one.
/// </summary>
internal static class DriverTraits
{
    public static bool UsesIpam(string driver) => driver is "bridge" or MacvlanDriver.DriverName or IpvlanDriver.DriverName;

    /// <summary>User-defined networks of these drivers give their sandboxes names (the default bridge excepted, elsewhere).</summary>
    public static bool HasNames(string driver) => UsesIpam(driver);

    /// <summary>Whether the network's endpoints get a default route (never on internal networks).</summary>
    public static bool OffersGateway(NetworkState network, INetworkDriver? driver) =>
        !network.Internal && (network.Driver == "bridge" || (driver is ChildLinkDriver child && child.OffersGateway(network)));
}
