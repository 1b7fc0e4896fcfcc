using System.Net.Sockets;
using Plexus.Engine.Model;
using Plexus.Engine.Drivers.Bridge.Firewall;
using Plexus.Engine.Ports;
using Plexus.Kernel.Firewall;

namespace Plexus.Engine.Drivers.Bridge;

/// <summary>
/// The bridge driver's rules in the kernel layer's firewall (nftables, iptables or none): a network is
/// a <see cref="BridgeRules"/>, an endpoint's published ports are <see cref="PortMapping"/>s tagged with
/// the endpoint's id. Each call is one firewall transaction.
/// </summary>
public sealed class KernelBridgeFirewall(IFirewall<FirewallState, FirewallChange> firewall) : IBridgeFirewall
{
    /// <summary>
    /// Rules are tagged with the first 24 hex characters of an id (96 bits: unique in practice), short
    /// enough that a tag and a reason fit nftables' 128-character comments.
    /// </summary>
    public static string TagOf(string id) => id.Length > 24 ? id[..24] : id;

    public IFirewall<FirewallState, FirewallChange> Firewall => firewall;

    public void AddNetwork(NetworkState network, BridgeOptions options) =>
        firewall.Begin().AddNetwork(Rules(network, options)).Commit();

    public void RemoveNetwork(NetworkState network, BridgeOptions options)
    {
        if (firewall.State.Networks.ContainsKey(TagOf(network.Id))) firewall.Begin().RemoveNetwork(TagOf(network.Id)).Commit();
    }

    /// <summary>
    /// One transaction: the network's rules (a no-op when they are in place; at start-up a sandbox's lost interface is
    /// rebuilt before the full re-apply, and its ports must not wait for it), the endpoint's bridge port and its
    /// published ports. It commits even when there is nothing to add, so a join fails (fail closed) while the
    /// firewall's rules are known to be lost and cannot be put back.
    /// </summary>
    public void AddEndpoint(NetworkState network, BridgeOptions options, EndpointState endpoint) =>
        firewall.Begin().AddNetwork(Rules(network, options)).AddBridgePort(Port(network, endpoint))
            .AddPorts(Mappings(network, options, endpoint)).Commit();

    public void RemoveEndpoint(NetworkState network, BridgeOptions options, EndpointState endpoint)
    {
        var tag = TagOf(endpoint.Id);
        var portName = BridgeOptions.VethNameFor(endpoint.Id);
        // What the firewall holds for the endpoint, not what its bindings say: the state's index answers in constant time.
        bool ports = firewall.State.PortsOf(tag).Count > 0, bridgePort = firewall.State.BridgePorts.ContainsKey(portName);
        if (!ports && !bridgePort) return;
        var tx = firewall.Begin();
        if (ports) tx.RemovePorts(tag);
        if (bridgePort) tx.RemoveBridgePorts(tag, portName);
        tx.Commit();
    }

    /// <summary>One transaction: the endpoint's old mappings out, the new ones in; its bridge port stays guarded throughout.</summary>
    public void SetPorts(NetworkState network, BridgeOptions options, EndpointState before, EndpointState after)
    {
        var tx = firewall.Begin();
        if (firewall.State.PortsOf(TagOf(before.Id)).Count > 0) tx.RemovePorts(TagOf(before.Id));
        tx.AddPorts(Mappings(network, options, after)).Commit();
    }

    public void ReplaceAll(IEnumerable<(NetworkState Network, BridgeOptions Options, IReadOnlyList<EndpointState> Joined, IReadOnlyList<LinkFlow> Links)> networks)
    {
        var list = networks.ToList();
        firewall.ReplaceAll(FirewallState.Create(
            list.Select(n => Rules(n.Network, n.Options)),
            list.SelectMany(n => n.Joined.SelectMany(e => Mappings(n.Network, n.Options, e))),
            list.SelectMany(n => LinkRules(n.Network, n.Links)),
            list.SelectMany(n => n.Joined.Select(e => Port(n.Network, e)))));
    }

    public void SetLinks(NetworkState network, IReadOnlyList<LinkFlow> flows)
    {
        var tag = LinksTag(network);
        bool had = firewall.State.Links.Any(l => l.Tag == tag);
        if (!had && flows.Count == 0) return; // the common case: no links, no firewall work
        var tx = firewall.Begin();
        if (had) tx.RemoveLinks(tag);
        tx.AddLinks(LinkRules(network, flows)).Commit();
    }

    /// <summary>All of a network's link exceptions share one tag, so they are replaced as a set.</summary>
    private static string LinksTag(NetworkState network) => "links-" + TagOf(network.Id);

    private static IEnumerable<LinkRule> LinkRules(NetworkState network, IReadOnlyList<LinkFlow> flows) =>
        flows.Select(f => new LinkRule(LinksTag(network), TagOf(network.Id), f.From, f.To, Protocol(f.Protocol), f.Port));

    private static TransportProtocol Protocol(PortProtocol protocol) => protocol switch
    {
        PortProtocol.Tcp => TransportProtocol.Tcp,
        PortProtocol.Udp => TransportProtocol.Udp,
        _ => TransportProtocol.Sctp,
    };

    public static BridgeRules Rules(NetworkState network, BridgeOptions options) =>
        new(TagOf(network.Id), options.Name, network.Subnets.Where(s => s.IpVersion == 4 || network.EnableIPv6).Select(s => s.Subnet))
        {
            Icc = options.Icc,
            Masquerade = options.IPMasquerade,
            Internal = network.Internal,
            AntiSpoofing = options.AntiSpoofingEnabled,
        };

    /// <summary>
    /// The endpoint's bridge port: the host end of its veth (named after the endpoint, so it can be guarded before it
    /// exists), its MAC and its addresses. The bridge driver gives every endpoint a MAC when it is created.
    /// </summary>
    public static BridgePort Port(NetworkState network, EndpointState endpoint) =>
        new(TagOf(endpoint.Id), TagOf(network.Id), BridgeOptions.VethNameFor(endpoint.Id),
            endpoint.Mac ?? throw new InvalidOperationException($"endpoint {endpoint.Name} has no MAC address; the bridge driver gives every endpoint one"),
            endpoint.IPv4?.Address, network.EnableIPv6 ? endpoint.IPv6?.Address : null);

    /// <summary>
    /// One mapping per published port and address family: a binding on all addresses is published for
    /// the container's IPv4 address and, if it has one, its IPv6 address; a host address of one family
    /// maps to the container's address of that family. The network's host_binding_ipv4 is the default
    /// host address for IPv4.
    /// </summary>
    public static IEnumerable<PortMapping> Mappings(NetworkState network, BridgeOptions options, EndpointState endpoint)
    {
        foreach (var b in endpoint.PortBindings)
        {
            var protocol = Protocol(b.Protocol);
            var hostIP = b.HostIP ?? options.DefaultHostIP;
            bool v6Host = hostIP?.AddressFamily == AddressFamily.InterNetworkV6;
            if (!v6Host && endpoint.IPv4 is { } v4)
                yield return new PortMapping(TagOf(endpoint.Id), TagOf(network.Id), protocol, hostIP, b.HostPort, v4.Address, b.ContainerPort);
            if ((hostIP is null || v6Host) && endpoint.IPv6 is { } v6)
                yield return new PortMapping(TagOf(endpoint.Id), TagOf(network.Id), protocol, hostIP, b.HostPort, v6.Address, b.ContainerPort);
        }
    }
}
