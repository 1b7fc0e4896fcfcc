using Plexus.Kernel.Firewall;
using Plexus.Kernel.Namespaces;

namespace Plexus.Engine.Drivers.Bridge.Firewall;

/// <summary>
/// Kernel settings the rules depend on, set by the backends before a network's rules go in
/// (so the bridge must exist by then):
/// <list type="bullet">
/// <item>route_localnet=1 on the bridge: the host reaching a published port through 127.0.0.1 is DNATed in
/// the output hook, keeps its 127.0.0.1 source and is re-routed out of the bridge; the kernel refuses a
/// loopback source on a non-loopback output device unless route_localnet is on for that device (the
/// bridge, not lo — tested). The nat-to-bridge masquerade then replaces the source with the gateway address
/// so the container can answer, and the loopback guard drops containers' own packets to 127.0.0.0/8.</item>
/// <item>bridge-nf-call-iptables/ip6tables=1 when icc is off: frames between two ports of one bridge are
/// switched, not routed; only with these on do they pass the inet forward hook where icc is enforced.</item>
/// </list>
/// </summary>
public static class BridgeSysctls
{
    public const string BridgeCallIptables = "net.bridge.bridge-nf-call-iptables";
    public const string BridgeCallIp6tables = "net.bridge.bridge-nf-call-ip6tables";

    public static IEnumerable<FirewallSysctl> For(BridgeRules network)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (network.HasIPv4 && !network.Internal) yield return On(Sysctl.RouteLocalnet(network.BridgeName));
        if (!network.Icc)
        {
            yield return On(BridgeCallIptables);
            yield return On(BridgeCallIp6tables);
        }
    }

    private static FirewallSysctl On(string key) => new(key, "1", Why(key));

    private static string Why(string key) => key.StartsWith("net.bridge.", StringComparison.Ordinal)
        ? $"icc=false needs {key}=1 (load the br_netfilter module if /proc/sys/net/bridge is missing)"
        : $"publishing on 127.0.0.1 needs {key}=1 (does the bridge exist yet? add the network's rules after creating it)";
}
