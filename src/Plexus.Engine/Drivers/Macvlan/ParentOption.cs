using Plexus.Engine.Model;
using Plexus.Kernel.Rtnl;

namespace Plexus.Engine.Drivers.Macvlan;

/// <summary>
/// The `-o parent=IFACE` option that macvlan and ipvlan networks share, as Docker reads it: the host interface
/// whose children the endpoints are. Without one the network gets a link of its own that leads nowhere
/// (Docker's "dm-" dummy), so its sandboxes reach only each other.
/// </summary>
public static class ParentOption
{
    public const string Key = "parent";

    /// <summary>Prefix of the parent a network without `-o parent` gets: "dm-" + 12 characters of its id, as Docker names it.</summary>
    public const string DummyPrefix = "dm-";

    public static string DummyNameFor(string networkId) => DummyPrefix + networkId[..Math.Min(12, networkId.Length)];

    /// <summary>The parent's name: the user's, or the network's own dummy when none was given.</summary>
    public static string Parse(NetworkState network, string driver, out bool given)
    {
        given = network.Options.TryGetValue(Key, out var parent) && parent.Length > 0;
        if (!given) return DummyNameFor(network.Id);
        if (parent == "lo") throw PlexusException.Invalid($"network {network.Name}: loopback interface is not a valid {driver} parent link");
        try
        {
            InterfaceName.Validate(parent!);
        }
        catch (ArgumentException e)
        {
            throw PlexusException.Invalid($"network {network.Name}: option {Key}: {e.Message}");
        }
        // A dotted name is read as BASE.VLAN-ID only when no such interface exists (ParentLinks): "br.lan" may be a real one.
        return parent!;
    }
}

/// <summary>An 802.1q sub-interface name as Docker takes it: BASE.VLAN-ID, e.g. eth0.20.</summary>
public static class VlanName
{
    public static (string Base, int Id) Parse(NetworkState network, string name)
    {
        var parts = name.Split('.');
        if (parts.Length != 2 || parts[0].Length == 0)
            throw PlexusException.Invalid($"network {network.Name}: parent '{name}': a VLAN sub-interface is named BASE.VLAN-ID, e.g. eth0.10 for VLAN 10 on eth0");
        if (!int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id))
            throw PlexusException.Invalid($"network {network.Name}: parent '{name}': '{parts[1]}' is not a VLAN id (e.g. eth0.10 for VLAN 10)");
        if (id is < Kernel.Rtnl.LinkKinds.VlanSpec.MinId or > Kernel.Rtnl.LinkKinds.VlanSpec.MaxId)
            throw PlexusException.Invalid($"network {network.Name}: parent '{name}': vlan id must be between 1-4094, received: {id}");
        return (parts[0], id);
    }
}
