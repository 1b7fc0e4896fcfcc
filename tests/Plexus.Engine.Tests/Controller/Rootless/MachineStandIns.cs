using System.Collections.Concurrent;
using Plexus.Engine.Dns;
using Plexus.Engine.Drivers;
using Plexus.Engine.Model;
using Plexus.Engine.Sandboxes;
using Plexus.Kernel;
using Plexus.Kernel.Namespaces;

namespace Plexus.Engine.Tests.Controller.Rootless;

/// <summary>
/// Sandbox namespaces without root: each "created" namespace is a handle on the test process's own (opening
/// /proc/self/ns/net needs no privilege), and the directory is a set of names.
/// </summary>
internal sealed class PretendNamespaces(string root) : INamespaceDirectory
{
    private readonly ConcurrentDictionary<string, bool> _names = new(StringComparer.Ordinal);

    public string PathOf(string name) => Path.Combine(root, name);

    public bool Exists(string name) => _names.ContainsKey(name);

    public IEnumerable<string> List() => _names.Keys;

    public NetworkNamespace Create(string name)
    {
        if (!_names.TryAdd(name, true)) throw new KernelException($"create network namespace '{name}': exists");
        return NetworkNamespace.OpenProcess();
    }

    public void Delete(string name)
    {
        if (!_names.TryRemove(name, out _)) throw new KernelException($"delete network namespace '{name}': no such namespace");
    }
}

/// <summary>
/// The controller's own work on sandbox network stacks, recorded instead of done: which endpoint holds each
/// sandbox's default routes, which interfaces are configured. <see cref="FailConfigure"/> and <see cref="FailPrepare"/>
/// make the next such step fail as the kernel would.
/// </summary>
internal sealed class RecordingNetworking : ISandboxNetworking
{
    private readonly ConcurrentDictionary<string, string> _defaultRoutes = new(StringComparer.Ordinal);

    public bool FailConfigure { get; set; }

    public bool FailPrepare { get; set; }

    public ConcurrentBag<string> Configured { get; } = [];

    /// <summary>The id of the endpoint whose gateways the sandbox's default routes point at; null for none.</summary>
    public string? DefaultRouteOf(string sandboxId) => _defaultRoutes.TryGetValue(sandboxId, out var id) ? id : null;

    public void Prepare(Sandbox sandbox)
    {
        if (FailPrepare) throw new KernelException("set lo up (stand-in): Operation not permitted");
    }

    public void ConfigureInterface(Sandbox sandbox, EndpointState endpoint, int? knownIndex, bool defaultRoutes)
    {
        if (FailConfigure) throw new KernelException($"configure {endpoint.InterfaceName} (stand-in): Operation not permitted");
        Configured.Add(endpoint.Id);
        if (defaultRoutes) SetDefaultRoutes(sandbox, endpoint, knownIndex);
    }

    public void SetDefaultRoutes(Sandbox sandbox, EndpointState endpoint, int? knownIndex = null)
    {
        if (endpoint.Joined is { OffersGateway: true }) _defaultRoutes[sandbox.Id] = endpoint.Id;
    }

    public int? MoveIntoSandbox(Sandbox sandbox, EndpointState endpoint, JoinInfo info) => null;

    public void MoveOutOfSandbox(Sandbox sandbox, EndpointState endpoint)
    {
    }
}

/// <summary>The real registry of names; resolvers that only pretend to serve (binding 127.0.0.11 in a sandbox needs root).</summary>
internal sealed class PretendResolvers : ISandboxResolvers
{
    private readonly ConcurrentDictionary<string, bool> _serving = new(StringComparer.Ordinal);

    public DnsRegistry Registry { get; } = new();

    public bool IsServing(string sandboxId) => _serving.ContainsKey(sandboxId);

    public Task<bool> ServeAsync(string sandboxId, NetworkNamespace sandboxNs) => Task.FromResult(_serving.TryAdd(sandboxId, true));

    public void Stop(string sandboxId, bool removeRedirect = false) => _serving.TryRemove(sandboxId, out _);

    public void Dispose() => _serving.Clear();
}
