using Plexus.Engine.Model;

namespace Plexus.Engine.Drivers.Bridge;

/// <summary>
/// The seam where the bridge driver hands connectivity rules (icc, isolation, masquerade, published
/// ports, links) to a firewall backend. Each call is one atomic change; a call that throws has changed
/// nothing. The firewall issue supplies nftables and iptables implementations.
/// </summary>
public interface IBridgeFirewall
{
    void AddNetwork(NetworkState network, BridgeOptions options);

    void RemoveNetwork(NetworkState network, BridgeOptions options);

    void AddEndpoint(NetworkState network, BridgeOptions options, EndpointState endpoint);

    void RemoveEndpoint(NetworkState network, BridgeOptions options, EndpointState endpoint);

    /// <summary>
    /// Makes a joined endpoint's published ports exactly those of <paramref name="after"/> (ports published after the
    /// join: Docker's ProgramExternalConnectivity). The default goes through a remove and an add; a backend that can
    /// do it in one change does.
    /// </summary>
    void SetPorts(NetworkState network, BridgeOptions options, EndpointState before, EndpointState after)
    {
        RemoveEndpoint(network, options, before);
        AddEndpoint(network, options, after);
    }

    /// <summary>Makes the rules exactly those of these networks and joined endpoints (start-up, after a flush).</summary>
    void ReplaceAll(IEnumerable<(NetworkState Network, BridgeOptions Options, IReadOnlyList<EndpointState> Joined, IReadOnlyList<LinkFlow> Links)> networks);

    /// <summary>Makes the network's link exceptions exactly these flows.</summary>
    void SetLinks(NetworkState network, IReadOnlyList<LinkFlow> flows);
}

/// <summary>No firewall management (dockerd's --iptables=false): the user takes over.</summary>
public sealed class NoFirewall : IBridgeFirewall
{
    public static NoFirewall Instance { get; } = new();

    public void AddNetwork(NetworkState network, BridgeOptions options) { }

    public void RemoveNetwork(NetworkState network, BridgeOptions options) { }

    public void AddEndpoint(NetworkState network, BridgeOptions options, EndpointState endpoint) { }

    public void RemoveEndpoint(NetworkState network, BridgeOptions options, EndpointState endpoint) { }

    public void ReplaceAll(IEnumerable<(NetworkState Network, BridgeOptions Options, IReadOnlyList<EndpointState> Joined, IReadOnlyList<LinkFlow> Links)> networks) { }

    public void SetLinks(NetworkState network, IReadOnlyList<LinkFlow> flows) { }
}
