using Plexus.Kernel.Firewall;
using Plexus.Kernel.Firewall.Nftables;

namespace Plexus.Engine.Drivers.Bridge.Firewall;

/// <summary>
/// The bridge firewall in nftables: table <c>inet plexus</c> (<see cref="NftablesScript"/>: icc, isolation, internal,
/// masquerade, published ports, hairpin, links) and table <c>bridge plexus</c> (<see cref="NftablesBridgeScript"/>:
/// anti-spoofing, icc=false at layer 2). A join or leave, with its published ports and links, is set and map elements
/// only; a change of networks is a script, with the coexistence accepts in other tables' drop-policy chains.
/// </summary>
public sealed class BridgeNftablesPolicy : INftablesPolicy<FirewallState, FirewallChange>
{
    public static BridgeNftablesPolicy Instance { get; } = new();

    private BridgeNftablesPolicy() { }

    public IReadOnlyList<NftTable> Tables { get; } =
    [
        new(NftablesScript.Family, NftablesScript.Table, NftablesScript.UserChain),
        new(NftablesBridgeScript.Family, NftablesBridgeScript.Table),
    ];

    public string? ForeignRulePrefix => NftablesScript.ForeignRulePrefix;

    public IReadOnlyList<NftElementChange>? Elements(FirewallChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (change.NetworksChanged) return null;
        return [.. NftablesScript.BatchChanges(change), .. NftablesBridgeScript.BatchChanges(change)];
    }

    public string Changes(FirewallChange change, Func<IReadOnlyList<ForeignChain>> foreignDropChains)
    {
        ArgumentNullException.ThrowIfNull(change);
        ArgumentNullException.ThrowIfNull(foreignDropChains);
        var script = NftablesScript.Changes(change) + NftablesBridgeScript.Changes(change);
        // Foreign drop-policy chains only matter when bridges come or go; a port or a link never looks at them.
        if (change.NetworksChanged) script = NftablesScript.Coexistence(foreignDropChains(), change.After) + script;
        return script;
    }

    public string ReplaceAll(FirewallState next, NftTableContents present, IReadOnlyList<ForeignChain> foreignDropChains) =>
        NftablesScript.Coexistence(foreignDropChains, next) + NftablesScript.ReplaceAll(next, present) + NftablesBridgeScript.ReplaceAll(next);
}
