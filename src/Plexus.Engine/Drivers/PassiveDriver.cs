using Plexus.Engine.Model;
using Plexus.Engine.Sandboxes;

namespace Plexus.Engine.Drivers;

/// <summary>
/// A driver that owns no kernel objects (null, host): every operation succeeds without touching the
/// kernel, and the sandbox keeps the namespace it has.
/// </summary>
public abstract class PassiveDriver : INetworkDriver
{
    public abstract string Name { get; }

    public abstract DriverCapabilities Capabilities { get; }

    public void ValidateNetwork(NetworkState network) { }

    public IReadOnlyDictionary<string, string> CreateNetwork(NetworkState network) => new Dictionary<string, string>();

    public void DeleteNetwork(NetworkState network) { }

    public void RestoreNetwork(NetworkState network) { }

    public EndpointState CreateEndpoint(NetworkState network, EndpointState endpoint) => endpoint;

    public JoinInfo Join(NetworkState network, EndpointState endpoint, Sandbox sandbox) => JoinInfo.None;

    public void Leave(NetworkState network, EndpointState endpoint, Sandbox sandbox) { }

    public bool IsJoined(NetworkState network, EndpointState endpoint, Sandbox sandbox) => true;

    public void Reconcile(IReadOnlyCollection<NetworkState> networks, IReadOnlyCollection<EndpointState> joinedEndpoints) { }

    public IReadOnlyList<string> CollectGarbage(IReadOnlyCollection<NetworkState> networks, IReadOnlyCollection<EndpointState> joinedEndpoints) => [];
}
