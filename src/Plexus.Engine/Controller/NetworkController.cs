using System.Collections.Concurrent;
using Plexus.Engine.Drivers;
using Plexus.Engine.Ipam;
using Plexus.Engine.Model;
using Plexus.Engine.Sandboxes;
using Plexus.Engine.Store;
using Plexus.Kernel;
using Plexus.Kernel.Namespaces;
using Plexus.Kernel.Rtnl;

namespace Plexus.Engine.Controller;

/// <summary>
/// The Container Network Model's controller: owns networks, endpoints and sandboxes, drives the drivers
/// and IPAM, and commits every change to the store before reporting success. A failed operation undoes
/// its kernel changes and leaves the store as it was. Thread-safe: operations on different networks
/// and sandboxes run in parallel, operations on one object are serialised (<see cref="ObjectLocks"/>).
/// </summary>
public sealed partial class NetworkController : IDisposable
{
    private readonly ControllerOptions _options;
    private readonly ILocalStore _store;
    private readonly IIpam _ipam;
    private readonly Dictionary<string, INetworkDriver> _drivers;
    private readonly NetworkNamespace _hostNs;
    private readonly RtNetlink _host;
    private readonly INamespaceDirectory _namespaces;
    private readonly ISandboxNetworking _networking;
    private readonly SandboxFiles _files;
    private readonly ObjectLocks _locks = new();
    private readonly Ports.PortAllocator _ports;
    private readonly Dns.ISandboxResolvers _dns;

    private readonly ConcurrentDictionary<string, NetworkState> _networks = new(StringComparer.Ordinal);
    private readonly EndpointTable _endpoints = new();
    private readonly ConcurrentDictionary<string, Sandbox> _sandboxes = new(StringComparer.Ordinal);

    /// <summary>Sandboxes by name: most references are names, and a lookup must not scan every sandbox.</summary>
    private readonly ConcurrentDictionary<string, Sandbox> _sandboxNames = new(StringComparer.Ordinal);

    /// <summary>Guards name uniqueness across concurrent creates (held only for the check-and-reserve).</summary>
    private readonly Lock _names = new();
    private readonly HashSet<string> _reservedNetworkNames = new(StringComparer.Ordinal);
    private readonly HashSet<string> _reservedSandboxNames = new(StringComparer.Ordinal);

    /// <param name="machine">Stand-ins for the machine-touching parts (unit tests); null or a null part: the real one.</param>
    public NetworkController(ControllerOptions options, ILocalStore store, IIpam ipam, IEnumerable<INetworkDriver> drivers,
        NetworkNamespace hostNs, RtNetlink host, ControllerMachine? machine = null)
    {
        _options = options;
        _store = store;
        _ipam = ipam;
        _drivers = drivers.ToDictionary(d => d.Name, StringComparer.Ordinal);
        foreach (var driver in _drivers.Values) CheckCapabilities(driver);
        _hostNs = hostNs;
        _host = host;
        _namespaces = machine?.Namespaces ?? new NamespaceDirectory(options.NamespaceDirectory);
        _networking = machine?.Networking ?? new KernelSandboxNetworking(hostNs, host);
        _files = new SandboxFiles(options.SandboxFilesDirectory, options.DefaultDns);
        _ports = hostNs.Run(Ports.PortAllocator.FromSystem);
        _dns = machine?.Resolvers ?? new Dns.EmbeddedDns(hostNs);
        _registryFeed = new Dns.RegistryFeed(_dns.Registry, Events, HasNames);
    }

    /// <summary>The DNS registry follows the controller's events (<see cref="Dns.RegistryFeed"/>).</summary>
    private readonly Dns.RegistryFeed _registryFeed;

    public ControllerOptions Options => _options;

    /// <summary>Every committed change, for subscribers (the API's event stream).</summary>
    public ControllerEvents Events { get; } = new();

    public SandboxFiles Files => _files;

    public IReadOnlyCollection<NetworkState> Networks => _networks.Values.OrderBy(n => n.Created).ToList();

    public IReadOnlyCollection<EndpointState> Endpoints => _endpoints.Values.ToList();

    public IReadOnlyCollection<Sandbox> Sandboxes => _sandboxes.Values.OrderBy(s => s.State.Created).ToList();

    public NetworkState GetNetwork(string reference) =>
        Lookup.Find(_networks.Values, reference, n => n.Id, n => n.Name, "network");

    public bool TryGetSandbox(string id, out Sandbox sandbox) => _sandboxes.TryGetValue(id, out sandbox!);

    public bool TryGetNetwork(string id, out NetworkState network) => _networks.TryGetValue(id, out network!);

    public Sandbox GetSandbox(string reference) =>
        _sandboxes.TryGetValue(reference ?? "", out var byId) ? byId
            : _sandboxNames.TryGetValue(reference ?? "", out var byName) ? byName
            : Lookup.Find(_sandboxes.Values, reference!, s => s.Id, s => s.Name, "sandbox");

    private void AddSandbox(Sandbox sandbox)
    {
        _sandboxes[sandbox.Id] = sandbox;
        _sandboxNames[sandbox.Name] = sandbox;
        Track(sandbox, +1);
    }

    private bool RemoveSandbox(Sandbox sandbox)
    {
        if (!_sandboxes.TryRemove(sandbox.Id, out _)) return false;
        _sandboxNames.TryRemove(new KeyValuePair<string, Sandbox>(sandbox.Name, sandbox));
        Track(sandbox, -1);
        return true;
    }

    public EndpointState GetEndpoint(string network, string reference)
    {
        var net = GetNetwork(network);
        return Lookup.Find(_endpoints.OfNetwork(net.Id), reference, e => e.Id, e => e.Name, $"endpoint on network {net.Name}");
    }

    public IReadOnlyList<EndpointState> EndpointsOf(NetworkState network) =>
        _endpoints.OfNetwork(network.Id).OrderBy(e => e.Name, StringComparer.Ordinal).ToList();

    /// <summary>The sandbox's joined endpoints in join order.</summary>
    public IReadOnlyList<EndpointState> EndpointsOf(Sandbox sandbox) =>
        _endpoints.OfSandbox(sandbox.Id).OrderBy(e => e.JoinOrder).ToList();

    /// <summary>
    /// What the network's driver does, which is what the controller and the API decide by (never the driver's
    /// name). A network whose driver is not loaded gets nothing: no IPAM, ports, names or links; nor does a
    /// config-only network, which is no network (stored with driver "null" as Docker does, it is not a null network).
    /// </summary>
    public DriverCapabilities CapabilitiesOf(NetworkState network)
    {
        ArgumentNullException.ThrowIfNull(network);
        return !network.ConfigOnly && _drivers.TryGetValue(network.Driver, out var d) ? d.Capabilities : NoCapabilities;
    }

    private static readonly DriverCapabilities NoCapabilities = new();

    /// <summary>A driver's declaration must be coherent: links declared exactly when it can enforce them.</summary>
    private static void CheckCapabilities(INetworkDriver driver)
    {
        var declared = driver.Capabilities ?? throw new ArgumentException($"network driver '{driver.Name}' declares no capabilities");
        if (declared.SupportsLinks != driver is ILinkingDriver)
            throw new ArgumentException($"network driver '{driver.Name}': SupportsLinks must be declared exactly when it implements {nameof(ILinkingDriver)}");
    }

    private INetworkDriver DriverOf(NetworkState network) =>
        _drivers.TryGetValue(network.Driver, out var d) ? d
            : throw new PlexusException(ErrorKind.Internal, $"network {network.Name}: driver '{network.Driver}' is not available");

    /// <summary>Kernel errors become engine errors that keep the kernel's words and name the object.</summary>
    private static PlexusException Wrap(Exception e, string context) => e switch
    {
        PlexusException p => p,
        ArgumentException a => new PlexusException(ErrorKind.InvalidArgument, $"{context}: {a.Message}", a),
        KernelException k => new PlexusException(ErrorKind.Internal, $"{context}: {k.Message}", k),
        _ => new PlexusException(ErrorKind.Internal, $"{context}: {e.Message}", e),
    };

    public void Dispose()
    {
        foreach (var driver in _drivers.Values) (driver as IDisposable)?.Dispose();
        _registryFeed.Dispose();
        _dns.Dispose();
        foreach (var sandbox in _sandboxes.Values) sandbox.Dispose();
        _sandboxes.Clear();
        _sandboxNames.Clear();
    }
}
