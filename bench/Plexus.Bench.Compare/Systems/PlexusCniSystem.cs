using System.Text.Json.Nodes;

namespace Plexus.Bench.Compare.Systems;

/// <summary>
/// Plexus as a CNI plugin, driven exactly as <see cref="CniSystem"/> drives the reference plugins: the native
/// `plexus-cni` exec'd once per operation (CNI_COMMAND=ADD/DEL, the configuration on stdin), sandboxes as
/// bind-mounted namespaces. The plugin hands each operation to a plexusd started here (as plexus-api starts
/// it); the network is made in plexusd by the first ADD from the configuration's bridge + host-local keys.
/// Ports are the portMappings capability, through Plexus's firewall (no portmap plugin in the chain).
/// </summary>
internal sealed class PlexusCniSystem(RunPaths paths, string plexusDirectory, Subnet defaultBridge) : ExecPluginSystem
{
    private readonly PlexusApiSystem _daemon = new(paths, plexusDirectory, defaultBridge, "plexus-cni");

    public override string Name => "plexus-cni";

    public override string Description =>
        $"the Plexus CNI plugin (native plexus-cni, one process per operation as a runtime execs it) handing each operation to plexusd over its socket; bridge + host-local keys; portMappings through Plexus's firewall";

    public override string? NetworkCreateUnsupported => "CNI has no network object: plexusd creates the network on the first ADD";

    public override void Start()
    {
        var plugin = Path.Combine(plexusDirectory, "plexus-cni");
        if (!File.Exists(plugin)) throw new NotAvailableException($"{plugin} is missing (scripts/publish-native.sh publishes it)");
        _daemon.Start();
        // As runtimes find it: the plugin named by its type, "plexus", in a CNI_PATH directory.
        PluginDir = paths.DataOf("plexus-cni-bin");
        Directory.CreateDirectory(PluginDir);
        var link = Path.Combine(PluginDir, "plexus");
        if (!File.Exists(link)) File.CreateSymbolicLink(link, plugin);
        OpenNamespaces(paths.RuntimeOf("plexus-cni-netns"));
    }

    public override void DeleteNetwork(string network)
    {
        if (Networks.TryRemove(network, out _)) _daemon.DeleteNetwork(network);
    }

    private JsonObject Config(string network, int firstHostPort = 0, int count = 0)
    {
        var subnet = Networks[network];
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

    public override void Attach(string network, string sandbox) => Attached[(network, sandbox)] = Exec("plexus", "ADD", sandbox, Config(network));

    public override void Detach(string network, string sandbox)
    {
        Exec("plexus", "DEL", sandbox, Config(network));
        Attached.TryRemove((network, sandbox), out _);
    }

    public override void AttachWithPorts(string network, string sandbox, int firstHostPort, int count)
    {
        CreateSandbox(sandbox);
        Attached[(network, sandbox)] = Exec("plexus", "ADD", sandbox, Config(network, firstHostPort, count));
        Ports[(network, sandbox)] = (firstHostPort, count);
    }

    public override void RemovePortsSandbox(string network, string sandbox)
    {
        var ports = Ports.TryRemove((network, sandbox), out var p) ? p : (First: 0, Count: 0);
        Exec("plexus", "DEL", sandbox, Config(network, ports.First, ports.Count));
        Attached.TryRemove((network, sandbox), out _);
        RemoveNamespace(sandbox);
    }

    public override IReadOnlyList<int> ResidentProcesses() => _daemon.ResidentProcesses();

    /// <summary>plexusd goes last, once every attachment and network is gone through it.</summary>
    protected override void Stopped() => _daemon.Stop();
}
