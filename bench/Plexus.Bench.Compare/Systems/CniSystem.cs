using System.Text.Json.Nodes;

namespace Plexus.Bench.Compare.Systems;

/// <summary>
/// The CNI reference plugins from Debian's containernetworking-plugins, exec'd as a runtime (containerd,
/// CRI-O, libcni) does: CNI_COMMAND=ADD/DEL and the network configuration on stdin. Attach is the bridge
/// plugin with host-local IPAM and ipMasq; the port scenario chains portmap after it (runtimeConfig
/// portMappings, prevResult from bridge), and DEL runs the chain in reverse. Sandboxes are bind-mounted
/// network namespaces, as `ip netns add` makes them.
/// </summary>
internal sealed class CniSystem(RunPaths paths) : ExecPluginSystem
{
    private string _ipamDir = "";
    private string _version = "?";

    public override string Name => "cni";

    public override string Description =>
        $"CNI reference plugins {_version} ({PluginDir}), one plugin process per operation as a runtime execs them: bridge + host-local IPAM + ipMasq; portmap chained for ports, one portMappings entry per port (CNI has no ranges)";

    public override string? NetworkCreateUnsupported => "CNI has no network object: the bridge plugin creates the bridge on the first ADD";

    public override void Start()
    {
        PluginDir = new[] { "/usr/lib/cni", "/opt/cni/bin", "/usr/libexec/cni" }
            .FirstOrDefault(d => File.Exists(Path.Combine(d, "bridge")) && File.Exists(Path.Combine(d, "host-local")))
            ?? throw new NotAvailableException("the CNI plugins are not installed (no bridge and host-local in /usr/lib/cni or /opt/cni/bin)");
        if (!File.Exists(Path.Combine(PluginDir, "portmap"))) throw new NotAvailableException($"no portmap plugin in {PluginDir}");
        if (ProcessRunner.Locate("iptables") is null) throw new NotAvailableException("iptables is not installed (bridge's ipMasq and portmap need it)");
        // Debian's build says "version unknown" itself: the package's version is the one to report.
        var package = ProcessRunner.Run("dpkg-query", ["-W", "-f=${Version}", "containernetworking-plugins"]);
        _version = package.ExitCode == 0 && package.Output.Trim().Length > 0 ? package.Output.Trim() : "?";
        _ipamDir = paths.DataOf("cni-ipam");
        OpenNamespaces(paths.RuntimeOf("cni-netns"));
    }

    public override void DeleteNetwork(string network)
    {
        // As a runtime would: nothing to do through CNI; the bridge the plugin made stays until removed by hand.
        if (Networks.TryRemove(network, out _)) ProcessRunner.Run("ip", ["link", "del", BridgeName(network)]);
    }

    private static string BridgeName(string network) => "cni-" + network;

    private JsonObject BridgeConfig(string network)
    {
        var subnet = Networks[network];
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

    public override void Attach(string network, string sandbox) =>
        Attached[(network, sandbox)] = Exec("bridge", "ADD", sandbox, BridgeConfig(network));

    public override void Detach(string network, string sandbox)
    {
        Exec("bridge", "DEL", sandbox, BridgeConfig(network));
        Attached.TryRemove((network, sandbox), out _);
    }

    public override void AttachWithPorts(string network, string sandbox, int firstHostPort, int count)
    {
        CreateSandbox(sandbox);
        var result = Exec("bridge", "ADD", sandbox, BridgeConfig(network));
        Attached[(network, sandbox)] = result;
        // The chain's next plugin gets the previous plugin's result, as libcni passes it.
        var chained = Exec("portmap", "ADD", sandbox, PortmapConfig(network, result, firstHostPort, count));
        Attached[(network, sandbox)] = chained.Trim().Length > 0 ? chained : result;
        Ports[(network, sandbox)] = (firstHostPort, count);
    }

    public override void RemovePortsSandbox(string network, string sandbox)
    {
        if (Attached.TryGetValue((network, sandbox), out var result) && Ports.TryRemove((network, sandbox), out var ports))
            Exec("portmap", "DEL", sandbox, PortmapConfig(network, result, ports.First, ports.Count));
        Detach(network, sandbox);
        RemoveNamespace(sandbox);
    }
}
