using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Plexus.Kernel.Namespaces;

namespace Plexus.Bench.Compare.Systems;

/// <summary>
/// The CNI reference plugins from Debian's containernetworking-plugins, exec'd as a runtime (containerd,
/// CRI-O, libcni) does: CNI_COMMAND=ADD/DEL and the network configuration on stdin. Attach is the bridge
/// plugin with host-local IPAM and ipMasq; the port scenario chains portmap after it (runtimeConfig
/// portMappings, prevResult from bridge), and DEL runs the chain in reverse. Sandboxes are bind-mounted
/// network namespaces, as `ip netns add` makes them.
/// </summary>
internal sealed class CniSystem(RunPaths paths) : ISystemUnderTest
{
    private readonly ConcurrentDictionary<string, Subnet> _networks = new();
    private readonly ConcurrentDictionary<string, NetworkNamespace> _sandboxes = new();
    // Attached (network, sandbox) pairs with their ADD result: portmap's DEL wants its prevResult, and Stop removes what is left.
    private readonly ConcurrentDictionary<(string Network, string Sandbox), string> _attached = new();
    private readonly Lock _create = new();
    private NamespaceDirectory? _directory;
    private string _pluginDir = "";
    private string _ipamDir = "";
    private string _version = "?";

    public string Name => "cni";

    public string Description =>
        $"CNI reference plugins {_version} ({_pluginDir}), one plugin process per operation as a runtime execs them: bridge + host-local IPAM + ipMasq; portmap chained for ports, one portMappings entry per port (CNI has no ranges)";

    public string? NetworkCreateUnsupported => "CNI has no network object: the bridge plugin creates the bridge on the first ADD";

    public string? PortsUnsupported => null;

    public void Start()
    {
        _pluginDir = new[] { "/usr/lib/cni", "/opt/cni/bin", "/usr/libexec/cni" }
            .FirstOrDefault(d => File.Exists(Path.Combine(d, "bridge")) && File.Exists(Path.Combine(d, "host-local")))
            ?? throw new NotAvailableException("the CNI plugins are not installed (no bridge and host-local in /usr/lib/cni or /opt/cni/bin)");
        if (!File.Exists(Path.Combine(_pluginDir, "portmap"))) throw new NotAvailableException($"no portmap plugin in {_pluginDir}");
        if (ProcessRunner.Locate("iptables") is null) throw new NotAvailableException("iptables is not installed (bridge's ipMasq and portmap need it)");
        // Debian's build says "version unknown" itself: the package's version is the one to report.
        var package = ProcessRunner.Run("dpkg-query", ["-W", "-f=${Version}", "containernetworking-plugins"]);
        _version = package.ExitCode == 0 && package.Output.Trim().Length > 0 ? package.Output.Trim() : "?";
        _ipamDir = paths.DataOf("cni-ipam");
        _directory = new NamespaceDirectory(paths.RuntimeOf("cni-netns"));
    }

    public void CreateNetwork(string network, Subnet subnet) => _networks[network] = subnet;

    public void DeleteNetwork(string network)
    {
        // As a runtime would: nothing to do through CNI; the bridge the plugin made stays until removed by hand.
        if (_networks.TryRemove(network, out _)) ProcessRunner.Run("ip", ["link", "del", BridgeName(network)]);
    }

    private static string BridgeName(string network) => "cni-" + network;

    public void CreateSandbox(string sandbox)
    {
        lock (_create) _sandboxes[sandbox] = _directory!.Create(sandbox);
    }

    private JsonObject BridgeConfig(string network)
    {
        var subnet = _networks[network];
        return new JsonObject
        {
            ["cniVersion"] = "1.0.0",
            ["name"] = network,
            ["type"] = "bridge",
            ["bridge"] = BridgeName(network),
            ["isGateway"] = true,
            ["ipMasq"] = true,
            ["ipam"] = new JsonObject
            {
                ["type"] = "host-local",
                ["ranges"] = new JsonArray(new JsonArray(new JsonObject { ["subnet"] = subnet.Cidr, ["gateway"] = subnet.Gateway })),
                ["routes"] = new JsonArray(new JsonObject { ["dst"] = "0.0.0.0/0" }),
                ["dataDir"] = _ipamDir,
            },
        };
    }

    private static JsonObject PortmapConfig(string network, string prevResult, int firstHostPort, int count)
    {
        var mappings = new JsonArray();
        for (int i = 0; i < count; i++)
            mappings.Add(new JsonObject { ["hostPort"] = firstHostPort + i, ["containerPort"] = firstHostPort + i, ["protocol"] = "tcp" });
        return new JsonObject
        {
            ["cniVersion"] = "1.0.0",
            ["name"] = network,
            ["type"] = "portmap",
            ["capabilities"] = new JsonObject { ["portMappings"] = true },
            ["snat"] = true,
            ["runtimeConfig"] = new JsonObject { ["portMappings"] = mappings },
            ["prevResult"] = JsonNode.Parse(prevResult),
        };
    }

    private string Exec(string plugin, string command, string sandbox, JsonObject config) =>
        ProcessRunner.Check(Path.Combine(_pluginDir, plugin), [], config.ToJsonString(), new Dictionary<string, string>
        {
            ["CNI_COMMAND"] = command,
            ["CNI_CONTAINERID"] = sandbox,
            ["CNI_NETNS"] = _sandboxes[sandbox].Path,
            ["CNI_IFNAME"] = "eth0",
            ["CNI_PATH"] = _pluginDir,
        });

    public void Attach(string network, string sandbox) =>
        _attached[(network, sandbox)] = Exec("bridge", "ADD", sandbox, BridgeConfig(network));

    public void AttachUntimed(string network, string sandbox) => Attach(network, sandbox);

    public void DetachUntimed(string network, string sandbox) => Detach(network, sandbox);

    public void Detach(string network, string sandbox)
    {
        Exec("bridge", "DEL", sandbox, BridgeConfig(network));
        _attached.TryRemove((network, sandbox), out _);
    }

    public void AttachWithPorts(string network, string sandbox, int firstHostPort, int count)
    {
        CreateSandbox(sandbox);
        var result = Exec("bridge", "ADD", sandbox, BridgeConfig(network));
        _attached[(network, sandbox)] = result;
        // The chain's next plugin gets the previous plugin's result, as libcni passes it.
        var chained = Exec("portmap", "ADD", sandbox, PortmapConfig(network, result, firstHostPort, count));
        _attached[(network, sandbox)] = chained.Trim().Length > 0 ? chained : result;
        _portCounts[(network, sandbox)] = (firstHostPort, count);
    }

    private readonly ConcurrentDictionary<(string, string), (int First, int Count)> _portCounts = new();

    public void RemovePortsSandbox(string network, string sandbox)
    {
        if (_attached.TryGetValue((network, sandbox), out var result) && _portCounts.TryRemove((network, sandbox), out var ports))
            Exec("portmap", "DEL", sandbox, PortmapConfig(network, result, ports.First, ports.Count));
        Detach(network, sandbox);
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

    public IReadOnlyList<int> ResidentProcesses() => [];

    public void Stop()
    {
        foreach (var ((network, sandbox), _) in _attached.ToList())
        {
            try
            {
                if (_portCounts.ContainsKey((network, sandbox))) RemovePortsSandbox(network, sandbox);
                else Detach(network, sandbox);
            }
            catch (Exception e) when (e is SystemFailureException or KeyNotFoundException)
            {
                // A scenario that failed half-way (portmap timing out on 1000 ports) may have left an attachment whose network is gone.
                Console.Error.WriteLine($"compare: cni cleanup of {sandbox} on {network}: {e.Message}");
            }
        }
        foreach (var sandbox in _sandboxes.Keys.ToList()) RemoveNamespace(sandbox);
        foreach (var network in _networks.Keys.ToList()) DeleteNetwork(network);
        if (_directory is not null && Directory.Exists(_directory.Root) && !_directory.List().Any()) _directory.Release();
    }

    public void Dispose() => Stop();
}
