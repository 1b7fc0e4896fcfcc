using Plexus.Engine.Model;
using Plexus.Engine.Sandboxes;

namespace Plexus.Engine.Drivers;

/// <summary>
/// The contract between the controller and a network driver (libnetwork's driverapi). Drivers own the
/// kernel objects of their networks and endpoints and nothing else: they never reach into the
/// controller, the store or IPAM. Every method either completes or throws having undone its own
/// kernel changes. Calls for one network are serialised by the controller.
/// </summary>
public interface INetworkDriver
{
    /// <summary>"bridge", "null", "host", later "overlay", "macvlan", remote plugins.</summary>
    string Name { get; }

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

    /// <summary>Creates the endpoint's interface inside the sandbox, named endpoint.InterfaceName.</summary>
    JoinInfo Join(NetworkState network, EndpointState endpoint, Sandbox sandbox);

    /// <summary>Removes the endpoint's interface from the sandbox. Missing objects are not an error.</summary>
    void Leave(NetworkState network, EndpointState endpoint, Sandbox sandbox);

    /// <summary>Whether the kernel objects of a joined endpoint are present (for reconciliation).</summary>
    bool IsJoined(NetworkState network, EndpointState endpoint, Sandbox sandbox);

    /// <summary>
    /// After a restart, once every network and endpoint is back: re-applies state derived from all of
    /// them at once (the bridge driver's firewall rules), so the kernel holds exactly what they imply.
    /// </summary>
    void Reconcile(IReadOnlyCollection<NetworkState> networks, IReadOnlyCollection<EndpointState> joinedEndpoints,
        Func<NetworkState, IReadOnlyList<LinkFlow>> linksOf);

    /// <summary>Makes the network's link exceptions exactly <paramref name="flows"/> (one atomic change).</summary>
    void SetLinks(NetworkState network, IReadOnlyList<LinkFlow> flows);

    /// <summary>
    /// After a restart: removes kernel objects this driver recognises as its own (by naming convention)
    /// that belong to no known network or joined endpoint. Returns what it removed, for the log.
    /// </summary>
    IReadOnlyList<string> CollectGarbage(IReadOnlyCollection<NetworkState> networks, IReadOnlyCollection<EndpointState> joinedEndpoints);
}

/// <summary>What the sandbox must configure after a driver's join.</summary>
public sealed record JoinInfo
{
    /// <summary>Address the interface and bring it up (false for drivers that create no interface).</summary>
    public bool ConfigureInterface { get; init; } = true;

    /// <summary>Gateways this endpoint offers for the sandbox's default routes; null for none (internal networks).</summary>
    public System.Net.IPAddress? GatewayV4 { get; init; }

    public System.Net.IPAddress? GatewayV6 { get; init; }

    /// <summary>The new interface's index in the sandbox, when the driver knows it (saves a lookup).</summary>
    public int? InterfaceIndex { get; init; }

    public static JoinInfo None { get; } = new() { ConfigureInterface = false };
}
