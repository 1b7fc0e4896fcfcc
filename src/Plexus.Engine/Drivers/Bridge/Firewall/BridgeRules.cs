using System.Net;
using System.Net.Sockets;
using Plexus.Kernel.Firewall;

namespace Plexus.Engine.Drivers.Bridge.Firewall;

/// <summary>
/// What the firewall must do for one bridge network: the bridge, its subnets and its policy.
/// <see cref="Tag"/> (the network's id) labels every rule that exists for it.
/// </summary>
public sealed record BridgeRules
{
    public BridgeRules(string tag, string bridgeName, IEnumerable<IPNetwork> subnets)
    {
        ArgumentNullException.ThrowIfNull(subnets);
        Tag = FirewallNames.Tag(tag, "network");
        BridgeName = FirewallNames.Interface(bridgeName, "bridge name");
        Subnets = [.. subnets.Distinct().OrderBy(s => s.BaseAddress.AddressFamily == AddressFamily.InterNetwork ? 0 : 1)];
        foreach (var subnet in Subnets)
            FirewallNames.Address(subnet.BaseAddress, $"network {tag}: subnet");
    }

    /// <summary>The network's id; every rule and element for it carries "net=TAG".</summary>
    public string Tag { get; }

    public string BridgeName { get; }

    /// <summary>IPv4 subnets first, then IPv6.</summary>
    public IReadOnlyList<IPNetwork> Subnets { get; }

    /// <summary>Inter-container communication on the bridge (com.docker.network.bridge.enable_icc).</summary>
    public bool Icc { get; init; } = true;

    /// <summary>Masquerade the subnets' traffic leaving by other interfaces (enable_ip_masquerade).</summary>
    public bool Masquerade { get; init; } = true;

    /// <summary>Nothing leaves or enters the subnet through other interfaces; nothing is masqueraded or published.</summary>
    public bool Internal { get; init; }

    /// <summary>
    /// Each bridge port sends only with its endpoint's MAC and addresses, ARP and neighbour discovery included
    /// (com.plexus.network.bridge.anti_spoofing). Off for sandboxes that route, or share addresses (VRRP).
    /// </summary>
    public bool AntiSpoofing { get; init; } = true;

    public bool HasIPv4 => Subnets.Any(s => s.BaseAddress.AddressFamily == AddressFamily.InterNetwork);

    public bool HasIPv6 => Subnets.Any(s => s.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6);

    public bool Contains(IPAddress address) => Subnets.Any(s => s.Contains(address));

    public bool Equals(BridgeRules? other) =>
        other is not null && Tag == other.Tag && BridgeName == other.BridgeName && Icc == other.Icc
        && Masquerade == other.Masquerade && Internal == other.Internal && AntiSpoofing == other.AntiSpoofing
        && Subnets.SequenceEqual(other.Subnets);

    public override int GetHashCode() => HashCode.Combine(Tag, BridgeName, Icc, Masquerade, Internal, Subnets.Count);

    public override string ToString() =>
        $"network {Tag} (bridge {BridgeName}, {string.Join(", ", Subnets)}, icc={Icc}, masquerade={Masquerade}, internal={Internal}, anti_spoofing={AntiSpoofing})";
}
