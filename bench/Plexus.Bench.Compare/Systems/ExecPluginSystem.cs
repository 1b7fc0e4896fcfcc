using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Plexus.Kernel.Namespaces;

namespace Plexus.Bench.Compare.Systems;

/// <summary>
/// What the systems that exec a CNI plugin per operation share (<see cref="CniSystem"/>, <see cref="PlexusCniSystem"/>):
/// the networks' subnets (CNI has no network object: the plugin makes the network on the first ADD), sandboxes as
/// bind-mounted namespaces in a directory of their own, the attached (network, sandbox) pairs with the plugin's last
/// result (a chained DEL wants it as prevResult, and <see cref="Stop"/> removes what is left), the published ports of
/// each ports sandbox, and the exec itself: CNI_COMMAND and the rest of the spec's environment, the configuration on stdin.
/// </summary>
internal abstract class ExecPluginSystem : ISystemUnderTest
{
    private readonly ConcurrentDictionary<string, NetworkNamespace> _sandboxes = new();
    private readonly Lock _create = new();
    private NamespaceDirectory? _directory;

    protected ConcurrentDictionary<string, Subnet> Networks { get; } = new();

    /// <summary>Attached pairs with the last plugin's ADD result.</summary>
    protected ConcurrentDictionary<(string Network, string Sandbox), string> Attached { get; } = new();

    /// <summary>The ports sandboxes' published ports (first host port, count), for their DEL.</summary>
    protected ConcurrentDictionary<(string Network, string Sandbox), (int First, int Count)> Ports { get; } = new();

    /// <summary>The CNI_PATH directory the plugins are exec'd from.</summary>
    protected string PluginDir { get; set; } = "";

    public abstract string Name { get; }
    public abstract string Description { get; }
    public abstract string? NetworkCreateUnsupported { get; }
    public string? PortsUnsupported => null;

    public abstract void Start();

    /// <summary>Called by <see cref="Start"/>: where the sandboxes' namespaces are bind-mounted.</summary>
    protected void OpenNamespaces(string root) => _directory = new NamespaceDirectory(root);

    public void CreateNetwork(string network, Subnet subnet) => Networks[network] = subnet;

    public abstract void DeleteNetwork(string network);

    public void CreateSandbox(string sandbox)
    {
        lock (_create) _sandboxes[sandbox] = _directory!.Create(sandbox);
    }

    public abstract void Attach(string network, string sandbox);

    public void AttachUntimed(string network, string sandbox) => Attach(network, sandbox);

    public abstract void Detach(string network, string sandbox);

    public void DetachUntimed(string network, string sandbox) => Detach(network, sandbox);

    public abstract void AttachWithPorts(string network, string sandbox, int firstHostPort, int count);

    public abstract void RemovePortsSandbox(string network, string sandbox);

    public virtual IReadOnlyList<int> ResidentProcesses() => [];

    /// <summary>Runs <paramref name="plugin"/> from <see cref="PluginDir"/> for the sandbox's eth0; returns its stdout (the result).</summary>
    protected string Exec(string plugin, string command, string sandbox, JsonObject config) =>
        ProcessRunner.Check(Path.Combine(PluginDir, plugin), [], config.ToJsonString(), new Dictionary<string, string>
        {
            ["CNI_COMMAND"] = command,
            ["CNI_CONTAINERID"] = sandbox,
            ["CNI_NETNS"] = _sandboxes[sandbox].Path,
            ["CNI_IFNAME"] = "eth0",
            ["CNI_PATH"] = PluginDir,
        });

    protected void RemoveNamespace(string sandbox)
    {
        if (_sandboxes.TryRemove(sandbox, out var ns))
        {
            ns.Dispose();
            _directory!.Delete(sandbox);
        }
    }

    /// <summary>After everything else is removed: the system's own daemon, if it has one.</summary>
    protected virtual void Stopped()
    {
    }

    public void Stop()
    {
        foreach (var ((network, sandbox), _) in Attached.ToList())
        {
            try
            {
                if (Ports.ContainsKey((network, sandbox))) RemovePortsSandbox(network, sandbox);
                else Detach(network, sandbox);
            }
            catch (Exception e) when (e is SystemFailureException or KeyNotFoundException)
            {
                // A scenario that failed half-way (portmap timing out on 1000 ports) may have left an attachment whose network is gone.
                Console.Error.WriteLine($"compare: {Name} cleanup of {sandbox} on {network}: {e.Message}");
            }
        }
        foreach (var sandbox in _sandboxes.Keys.ToList()) RemoveNamespace(sandbox);
        foreach (var network in Networks.Keys.ToList())
        {
            try
            {
                DeleteNetwork(network);
            }
            catch (SystemFailureException e)
            {
                Console.Error.WriteLine($"compare: {Name} cleanup of network {network}: {e.Message}");
            }
        }
        if (_directory is not null && Directory.Exists(_directory.Root) && !_directory.List().Any()) _directory.Release();
        Stopped();
    }

    public void Dispose() => Stop();
}
