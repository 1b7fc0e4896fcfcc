using Plexus.Kernel.Firewall;
using Plexus.Kernel.Firewall.Iptables;
using Plexus.Kernel.Firewall.Nftables;
using Plexus.Kernel.Namespaces;

namespace Plexus.Engine.Drivers.Bridge.Firewall;

/// <summary>
/// The bridge driver's firewall policy: its state (<see cref="FirewallState"/>: networks, published ports, links,
/// bridge ports) and what it means in nftables (<see cref="BridgeNftablesPolicy"/>) and iptables
/// (<see cref="BridgeIptablesPolicy"/>). The kernel layer's backends keep it in the kernel.
/// </summary>
public sealed class BridgeFirewallPolicy : IFirewallPolicy<FirewallState, FirewallChange>
{
    public static BridgeFirewallPolicy Instance { get; } = new();

    private BridgeFirewallPolicy() { }

    /// <summary>A backend ("nftables", "iptables", "none") keeping the bridge driver's rules in <paramref name="target"/>'s firewall.</summary>
    public static IFirewall<FirewallState, FirewallChange> Create(string backend, NetworkNamespace target) =>
        Firewalls.Create(backend, target, Instance);

    public FirewallState Empty => FirewallState.Empty;

    public FirewallChange Edit(FirewallState before) => new(before);

    public IEnumerable<FirewallSysctl> Sysctls(FirewallState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.Networks.Values.SelectMany(BridgeSysctls.For);
    }

    public IEnumerable<FirewallSysctl> Sysctls(FirewallChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        return change.NetworksAdded.SelectMany(BridgeSysctls.For);
    }

    public INftablesPolicy<FirewallState, FirewallChange> Nftables => BridgeNftablesPolicy.Instance;

    public IIptablesPolicy<FirewallState, FirewallChange> Iptables => BridgeIptablesPolicy.Instance;
}
