using Plexus.Engine.Model;
using Plexus.Engine.Sandboxes;

namespace Plexus.Engine.Drivers;

/// <summary>
/// The contract between the controller and a network driver (libnetwork's driverapi). Drivers own the
/// kernel objects of their networks and endpoints, and their firewall policy, and nothing else: they never
/// reach into the controller, the store or IPAM. Every method either completes or throws having undone its
/// own kernel changes. Calls for one network are serialised by the controller.
/// </summary>
/// <remarks>
/// What a driver implements: <see cref="Name"/>, <see cref="Capabilities"/> (what the controller and the API
/// decide by: IPAM, published ports, DNS names, exclusive sandboxes; never the name), the network and endpoint
/// life cycle below, and <see cref="Join"/> returning a <see cref="JoinInfo"/> with the gateways the endpoint
/// offers (stored on the endpoint by the controller), optional static routes, and optionally an interface made
/// on the host (<see cref="JoinInfo.SourceInterface"/>) for the controller to move into the sandbox. A driver
/// that enforces legacy links also implements <see cref="ILinkingDriver"/>. A driver with no kernel objects
/// derives from <see cref="PassiveDriver"/>.
/// </remarks>
public interface INetworkDriver
{
    /// <summary>"bridge", "null", "host", later "overlay", "macvlan", remote plugins.</summary>
    string Name { get; }

    /// <summary>What the driver does; read by the controller and the API instead of the name. Must not change.</summary>
    DriverCapabilities Capabilities { get; }

    /// <summary>Checks the options of a network before anything is allocated; throws PlexusException(InvalidArgument).</summary>
    void ValidateNetwork(NetworkState network);

    /// <summary>Creates the network's kernel objects; returns the state to persist (e.g. the bridge's name).</summary>
    IReadOnlyDictionary<string, string> CreateNetwork(NetworkState network);

    /// <summary>Removes the network's kernel objects. Missing objects are not an error.</summary>
    void DeleteNetwork(NetworkState network);

    /// <summary>After a restart: re-creates what the store says exists and the kernel lacks.</summary>
    void RestoreNetwork(NetworkState network);

    /// <summary>Prepares an endpoint (MAC, names) before it is stored; no kernel work needed.</summary>
    EndpointState CreateEndpoint(NetworkState network, EndpointState endpoint);

    /// <summary>
    /// Creates the endpoint's interface inside the sandbox, named endpoint.InterfaceName (or on the host, named
    /// <see cref="JoinInfo.SourceInterface"/>, for the controller to move in); returns the gateways it offers.
    /// </summary>
    JoinInfo Join(NetworkState network, EndpointState endpoint, Sandbox sandbox);

    /// <summary>Removes the endpoint's interface from the sandbox. Missing objects are not an error.</summary>
    void Leave(NetworkState network, EndpointState endpoint, Sandbox sandbox);

    /// <summary>Whether the kernel objects of a joined endpoint are present (for reconciliation).</summary>
    bool IsJoined(NetworkState network, EndpointState endpoint, Sandbox sandbox);

    /// <summary>
    /// After a restart, once every network and endpoint is back: re-applies state derived from all of
    /// them at once (the bridge driver's firewall rules), so the kernel holds exactly what they imply.
    /// </summary>
    void Reconcile(IReadOnlyCollection<NetworkState> networks, IReadOnlyCollection<EndpointState> joinedEndpoints);

    /// <summary>
    /// After a restart: removes kernel objects this driver recognises as its own (by naming convention)
    /// that belong to no known network or joined endpoint. Returns what it removed, for the log.
    /// </summary>
    IReadOnlyList<string> CollectGarbage(IReadOnlyCollection<NetworkState> networks, IReadOnlyCollection<EndpointState> joinedEndpoints);
}
