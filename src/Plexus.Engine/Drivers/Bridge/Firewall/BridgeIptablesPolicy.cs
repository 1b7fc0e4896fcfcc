using Plexus.Kernel.Firewall;
using Plexus.Kernel.Firewall.Iptables;
using Plexus.Kernel.Firewall.Nftables;


namespace Plexus.Engine.Drivers.Bridge.Firewall;

/// <summary>
/// The bridge firewall in iptables (<see cref="IptablesRules"/>), with the table <c>bridge plexus</c>
/// (<see cref="NftablesBridgeScript"/>) beside it through libnftables: ebtables could only bind a port to its MAC and
/// address with a rule per endpoint.
/// </summary>
public sealed class BridgeIptablesPolicy : IIptablesPolicy<FirewallState, FirewallChange>
{
    public static BridgeIptablesPolicy Instance { get; } = new();

    private BridgeIptablesPolicy() { }

    public IptablesRuleset Render(FirewallState state, bool ipv6, bool keepUserChain = false) => IptablesRules.Render(state, ipv6, keepUserChain);

    public IReadOnlyList<NftTable> NftablesTables { get; } = [new(NftablesBridgeScript.Family, NftablesBridgeScript.Table)];

    public string NftablesMissing => "bridge ports are not guarded against spoofing, and icc=false networks let non-IP frames through";

    public IReadOnlyList<NftElementChange>? NftablesElements(FirewallChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        return change.OnlyBridgePorts ? NftablesBridgeScript.BatchChanges(change) : null;
    }

    public string NftablesChanges(FirewallChange change, bool undo) => NftablesBridgeScript.Changes(change, undo);

    public string NftablesReplaceAll(FirewallState next) => NftablesBridgeScript.ReplaceAll(next);
}
