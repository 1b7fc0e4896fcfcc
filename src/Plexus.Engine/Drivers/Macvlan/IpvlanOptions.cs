using Plexus.Engine.Model;
using Plexus.Kernel.Rtnl.LinkKinds;

namespace Plexus.Engine.Drivers.Macvlan;

/// <summary>An ipvlan network's options (`-o parent=IFACE -o ipvlan_mode=l2|l3|l3s -o ipvlan_flag=bridge|private|vepa`).</summary>
public sealed record IpvlanOptions : ChildLinkOptions
{
    public const string ModeKey = "ipvlan_mode";
    public const string FlagKey = "ipvlan_flag";

    public IpvlanMode Mode { get; init; } = IpvlanMode.L2;

    public IpvlanFlags Flags { get; init; } = IpvlanFlags.Bridge;

    public static IpvlanOptions Parse(NetworkState network)
    {
        ArgumentNullException.ThrowIfNull(network);
        var parent = ParentOption.Parse(network, IpvlanDriver.DriverName, out var given);
        network.Options.TryGetValue(ModeKey, out var mode);
        network.Options.TryGetValue(FlagKey, out var flag);
        return new IpvlanOptions
        {
            Parent = parent,
            HasParent = given,
            Mode = mode switch
            {
                null or "" or "l2" => IpvlanMode.L2,
                "l3" => IpvlanMode.L3,
                "l3s" => IpvlanMode.L3S,
                _ => throw PlexusException.Invalid($"network {network.Name}: requested ipvlan mode '{mode}' is not valid, 'l2' mode is the ipvlan driver default (others: l3, l3s)"),
            },
            Flags = flag switch
            {
                null or "" or "bridge" => IpvlanFlags.Bridge,
                "private" => IpvlanFlags.Private,
                "vepa" => IpvlanFlags.Vepa,
                _ => throw PlexusException.Invalid($"network {network.Name}: requested ipvlan flag '{flag}' is not valid, 'bridge' is the ipvlan driver default (others: private, vepa)"),
            },
        };
    }
}
