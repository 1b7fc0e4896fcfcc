using System.Collections.Concurrent;
using Plexus.Engine.Drivers;
using Plexus.Engine.Model;
using Plexus.Engine.Sandboxes;
using Plexus.Kernel;

namespace Plexus.Engine.Tests.Controller.Rootless;

/// <summary>
/// A driver with no kernel objects that fails where a test says: its join (before anything is made) or its leave.
/// It keeps which endpoints it holds joined, so a test sees whether the controller rolled the driver back. Its joins
/// offer the network's IPv4 gateway unless the network is internal, as the bridge's do.
/// </summary>
internal sealed class ScriptedDriver(string name, DriverCapabilities capabilities) : INetworkDriver
{
    public const string Default = "scripted";

    /// <summary>A driver with names, IPAM and ports, as a user-defined bridge has.</summary>
    public static ScriptedDriver Bridgelike() => new(Default, new DriverCapabilities { UsesIpam = true, EmbeddedDns = true, PublishesPorts = true });

    /// <summary>A driver that needs the sandbox to itself, at most one network of it (Docker's null).</summary>
    public static ScriptedDriver Exclusive() => new("exclusive", new DriverCapabilities { ExclusiveSandbox = true, SingleNetwork = true });

    public string Name => name;

    public DriverCapabilities Capabilities => capabilities;

    public bool FailJoin { get; set; }

    public bool FailLeave { get; set; }

    /// <summary>Endpoint ids the driver holds joined now.</summary>
    public ConcurrentDictionary<string, string> Joined { get; } = new(StringComparer.Ordinal);

    /// <summary>Every leave asked of the driver, failed or not (endpoint ids).</summary>
    public ConcurrentQueue<string> Leaves { get; } = new();

    public void ValidateNetwork(NetworkState network) { }

    public IReadOnlyDictionary<string, string> CreateNetwork(NetworkState network) => new Dictionary<string, string>();

    public void DeleteNetwork(NetworkState network) { }

    public void RestoreNetwork(NetworkState network) { }

    public EndpointState CreateEndpoint(NetworkState network, EndpointState endpoint) => endpoint;

    public JoinInfo Join(NetworkState network, EndpointState endpoint, Sandbox sandbox)
    {
        if (FailJoin) throw new KernelException($"create interface for {endpoint.Name} (scripted): No space left on device");
        Joined[endpoint.Id] = sandbox.Id;
        var gateway = network.Internal ? null : network.Subnets.FirstOrDefault(s => s.IpVersion == 4)?.Gateway;
        return new JoinInfo { GatewayV4 = gateway };
    }

    public void Leave(NetworkState network, EndpointState endpoint, Sandbox sandbox)
    {
        Leaves.Enqueue(endpoint.Id);
        if (FailLeave) throw new KernelException($"delete interface of {endpoint.Name} (scripted): Device or resource busy");
        Joined.TryRemove(endpoint.Id, out _);
    }

    public bool IsJoined(NetworkState network, EndpointState endpoint, Sandbox sandbox) => Joined.ContainsKey(endpoint.Id);

    public void Reconcile(IReadOnlyCollection<NetworkState> networks, IReadOnlyCollection<EndpointState> joinedEndpoints) { }

    public IReadOnlyList<string> CollectGarbage(IReadOnlyCollection<NetworkState> networks, IReadOnlyCollection<EndpointState> joinedEndpoints) => [];
}
