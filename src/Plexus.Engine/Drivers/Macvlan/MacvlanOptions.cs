using Plexus.Engine.Model;
using Plexus.Kernel.Rtnl.LinkKinds;

namespace Plexus.Engine.Drivers.Macvlan;

/// <summary>A macvlan network's options (`-o parent=IFACE -o macvlan_mode=MODE`), parsed and checked once.</summary>
public sealed record MacvlanOptions : ChildLinkOptions
{
    public const string ModeKey = "macvlan_mode";

    public MacvlanMode Mode { get; init; } = MacvlanMode.Bridge;

    public static MacvlanOptions Parse(NetworkState network)
    {
        ArgumentNullException.ThrowIfNull(network);
        var parent = ParentOption.Parse(network, MacvlanDriver.DriverName, out var given);
        network.Options.TryGetValue(ModeKey, out var mode);
        return new MacvlanOptions
        {
            Parent = parent,
            HasParent = given,
            Mode = mode switch
            {
                null or "" or "bridge" => MacvlanMode.Bridge,
                "private" => MacvlanMode.Private,
                "vepa" => MacvlanMode.Vepa,
                "passthru" => MacvlanMode.Passthru,
                _ => throw PlexusException.Invalid(
                    $"network {network.Name}: requested macvlan mode '{mode}' is not valid, 'bridge' mode is the macvlan driver default (others: private, vepa, passthru)"),
            },
        };
    }
}
