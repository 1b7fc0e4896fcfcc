using Plexus.Engine.Model;
using Plexus.Engine.Sandboxes;

namespace Plexus.Engine.Drivers.Host;

/// <summary>
/// The "host" network: the sandbox shares the daemon's own network namespace, so there is nothing to
/// create. The controller gives such sandboxes the host's namespace and refuses other networks for them.
/// </summary>
public sealed class HostDriver : INetworkDriver
{
    public string Name => "host";

    public void ValidateNetwork(NetworkState network) { }

    public IReadOnlyDictionary<string, string> CreateNetwork(NetworkState network) => new Dictionary<string, string>();

    public void DeleteNetwork(NetworkState network) { }

    public void RestoreNetwork(NetworkState network) { }

    public EndpointState CreateEndpoint(NetworkState network, EndpointState endpoint) => endpoint;

    public JoinInfo Join(NetworkState network, EndpointState endpoint, Sandbox sandbox) => JoinInfo.None;

    public void Leave(NetworkState network, EndpointState endpoint, Sandbox sandbox) { }

    public bool IsJoined(NetworkState network, EndpointState endpoint, Sandbox sandbox) => true;

    public void Reconcile(IReadOnlyCollection<NetworkState> networks, IReadOnlyCollection<EndpointState> joinedEndpoints,
        Func<NetworkState, IReadOnlyList<LinkFlow>> linksOf) { }

    public void SetLinks(NetworkState network, IReadOnlyList<LinkFlow> flows) { }

    public IReadOnlyList<string> CollectGarbage(IReadOnlyCollection<NetworkState> networks, IReadOnlyCollection<EndpointState> joinedEndpoints) => [];
}
