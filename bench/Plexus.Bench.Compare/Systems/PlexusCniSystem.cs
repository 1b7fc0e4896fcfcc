using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Plexus.Kernel.Namespaces;

namespace Plexus.Bench.Compare.Systems;

/// <summary>
/// Plexus as a CNI plugin, driven exactly as <see cref="CniSystem"/> drives the reference plugins: the native
/// `plexus-cni` exec'd once per operation (CNI_COMMAND=ADD/DEL, the configuration on stdin), sandboxes as
/// bind-mounted namespaces. The plugin hands each operation to a plexusd started here (as plexus-api starts
/// it); the network is made in plexusd by the first ADD from the configuration's bridge + host-local keys.
/// Ports are the portMappings capability, through Plexus's firewall (no portmap plugin in the chain).
/// </summary>
internal sealed class PlexusCniSystem(RunPaths paths, string plexusDirectory, Subnet defaultBridge) : ISystemUnderTest
{
    private readonly PlexusApiSystem _daemon = new(paths, plexusDirectory, defaultBridge, "plexus-cni");
    private readonly ConcurrentDictionary<string, Subnet> _networks = new();
    private readonly ConcurrentDictionary<string, NetworkNamespace> _sandboxes = new();
    private readonly ConcurrentDictionary<(string Network, string Sandbox), int> _attached = new();
    private readonly ConcurrentDictionary<(string Network, string Sandbox), (int First, int Count)> _ports = new();
    private readonly Lock _create = new();
    private NamespaceDirectory? _directory;
    private string _binDir = "";

    public string Name => "plexus-cni";

    public string Description =>
        $"the Plexus CNI plugin (native plexus-cni, one process per operation as a runtime execs it) handing each operation to plexusd over its socket; bridge + host-local keys; portMappings through Plexus's firewall";

    public string? NetworkCreateUnsupported => "CNI has no network object: plexusd creates the network on the first ADD";

    public string? PortsUnsupported => null;

    public void Start()
    {
        var plugin = Path.Combine(plexusDirectory, "plexus-cni");
        if (!File.Exists(plugin)) throw new NotAvailableException($"{plugin} is missing (scripts/publish-native.sh publishes it)");
        _daemon.Start();
        // As runtimes find it: the plugin named by its type, "plexus", in a CNI_PATH directory.
        _binDir = paths.DataOf("plexus-cni-bin");
        Directory.CreateDirectory(_binDir);
        var link = Path.Combine(_binDir, "plexus");
        if (!File.Exists(link)) File.CreateSymbolicLink(link, plugin);
        _directory = new NamespaceDirectory(paths.RuntimeOf("plexus-cni-netns"));
    }

    public void CreateNetwork(string network, Subnet subnet) => _networks[network] = subnet;

    public void DeleteNetwork(string network)
    {
        if (_networks.TryRemove(network, out _)) _daemon.DeleteNetwork(network);
    }

    public void CreateSandbox(string sandbox)
    {
        lock (_create) _sandboxes[sandbox] = _directory!.Create(sandbox);
    }

    private JsonObject Config(string network, int firstHostPort = 0, int count = 0)
    {
        var subnet = _networks[network];
        var config = new JsonObject
        {
            ["cniVersion"] = "1.0.0",
            ["name"] = network,
            ["type"] = "plexus",
            ["socket"] = "unix://" + _daemon.SocketPath,
            ["isGateway"] = true,
            ["ipMasq"] = true,
            ["ipam"] = new JsonObject
            {
                ["type"] = "host-local",
                ["ranges"] = new JsonArray(new JsonArray(new JsonObject { ["subnet"] = subnet.Cidr, ["gateway"] = subnet.Gateway })),
                ["routes"] = new JsonArray(new JsonObject { ["dst"] = "0.0.0.0/0" }),
            },
        };
        if (count > 0)
        {
            var mappings = new JsonArray();
            for (int i = 0; i < count; i++)
                mappings.Add(new JsonObject { ["hostPort"] = firstHostPort + i, ["containerPort"] = firstHostPort + i, ["protocol"] = "tcp" });
            config["runtimeConfig"] = new JsonObject { ["portMappings"] = mappings };
        }
        return config;
    }

    private string Exec(string command, string sandbox, JsonObject config) =>
        ProcessRunner.Check(Path.Combine(_binDir, "plexus"), [], config.ToJsonString(), new Dictionary<string, string>
        {
            ["CNI_COMMAND"] = command,
            ["CNI_CONTAINERID"] = sandbox,
            ["CNI_NETNS"] = _sandboxes[sandbox].Path,
            ["CNI_IFNAME"] = "eth0",
            ["CNI_PATH"] = _binDir,
        });

    public void Attach(string network, string sandbox)
    {
        Exec("ADD", sandbox, Config(network));
        _attached[(network, sandbox)] = 0;
    }

    public void AttachUntimed(string network, string sandbox) => Attach(network, sandbox);

    public void Detach(string network, string sandbox)
    {
        Exec("DEL", sandbox, Config(network));
        _attached.TryRemove((network, sandbox), out _);
    }

    public void DetachUntimed(string network, string sandbox) => Detach(network, sandbox);

    public void AttachWithPorts(string network, string sandbox, int firstHostPort, int count)
    {
        CreateSandbox(sandbox);
        Exec("ADD", sandbox, Config(network, firstHostPort, count));
        _attached[(network, sandbox)] = 0;
        _ports[(network, sandbox)] = (firstHostPort, count);
    }

    public void RemovePortsSandbox(string network, string sandbox)
    {
        var ports = _ports.TryRemove((network, sandbox), out var p) ? p : (First: 0, Count: 0);
        Exec("DEL", sandbox, Config(network, ports.First, ports.Count));
        _attached.TryRemove((network, sandbox), out _);
        RemoveNamespace(sandbox);
    }

    private void RemoveNamespace(string sandbox)
    {
        if (_sandboxes.TryRemove(sandbox, out var ns))
        {
            ns.Dispose();
            _directory!.Delete(sandbox);
        }
    }

    public IReadOnlyList<int> ResidentProcesses() => _daemon.ResidentProcesses();

    public void Stop()
    {
        foreach (var ((network, sandbox), _) in _attached.ToList())
        {
            try
            {
                Detach(network, sandbox);
            }
            catch (SystemFailureException e)
            {
                Console.Error.WriteLine($"compare: plexus-cni cleanup: {e.Message}");
            }
        }
        foreach (var sandbox in _sandboxes.Keys.ToList()) RemoveNamespace(sandbox);
        foreach (var network in _networks.Keys.ToList())
        {
            try
            {
                DeleteNetwork(network);
            }
            catch (SystemFailureException e)
            {
                Console.Error.WriteLine($"compare: plexus-cni cleanup: {e.Message}");
            }
        }
        if (_directory is not null && Directory.Exists(_directory.Root) && !_directory.List().Any()) _directory.Release();
        _daemon.Stop();
    }

    public void Dispose() => Stop();
}
