using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Plexus.Kernel.Namespaces;

namespace Plexus.Bench.Compare.Systems;

/// <summary>
/// netavark from Debian, driven as podman drives it: `netavark --config DIR setup NETNS` and `teardown` with
/// the network options JSON on stdin (container id and name, the network's definition in network_info, the
/// container's static address in per-network options: podman does the IPAM itself, so does this adapter;
/// port_mappings for the port scenario). DNS (aardvark-dns) is off. Like podman (containers/common's
/// libnetwork holds its network lock around every setup and teardown), it runs one netavark at a time:
/// concurrent setups on one network race on the firewall chains ("iptables: Chain already exists").
/// </summary>
internal sealed class NetavarkSystem(RunPaths paths) : ISystemUnderTest
{
    private readonly ConcurrentDictionary<string, Subnet> _networks = new();
    private readonly ConcurrentDictionary<string, (int Number, NetworkNamespace Namespace)> _sandboxes = new();
    private readonly ConcurrentDictionary<(string Network, string Sandbox), (int First, int Count)> _attached = new();
    private readonly Lock _create = new();
    private readonly Lock _network = new();
    private NamespaceDirectory? _directory;
    private string _netavark = "";
    private string _config = "";
    private string _version = "?";
    private int _next;

    public string Name => "netavark";

    public string Description => $"netavark {_version} ({_netavark}), one process per operation: setup/teardown with the network options JSON on stdin, one at a time, as podman runs it; ports as one mapping with a range, as podman passes -p A-B:A-B";

    public string? NetworkCreateUnsupported => "netavark keeps no networks: podman stores their definitions and netavark creates the bridge on the first setup";

    public string? PortsUnsupported => null;

    public void Start()
    {
        _netavark = ProcessRunner.Locate("netavark", "/usr/lib/podman/netavark", "/usr/libexec/podman/netavark")
            ?? throw new NotAvailableException("netavark is not installed (Debian's package puts it in /usr/lib/podman)");
        if (ProcessRunner.Locate("iptables") is null) throw new NotAvailableException("iptables is not installed (netavark's firewall driver needs it)");
        _version = ProcessRunner.Run(_netavark, ["--version"]).Output.Trim().Replace("netavark ", "", StringComparison.Ordinal);
        _config = paths.RuntimeOf("netavark-config");
        _directory = new NamespaceDirectory(paths.RuntimeOf("netavark-netns"));
    }

    public void CreateNetwork(string network, Subnet subnet) => _networks[network] = subnet;

    public void DeleteNetwork(string network)
    {
        if (_networks.TryRemove(network, out _)) ProcessRunner.Run("ip", ["link", "del", BridgeName(network)]);
    }

    private static string BridgeName(string network) => "nv-" + network;

    public void CreateSandbox(string sandbox)
    {
        lock (_create) _sandboxes[sandbox] = (_next++, _directory!.Create(sandbox));
    }

    private static string Id(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private string Options(string network, string sandbox, int firstHostPort, int count)
    {
        var subnet = _networks[network];
        var options = new JsonObject
        {
            ["container_id"] = Id("container " + sandbox),
            ["container_name"] = sandbox,
            ["networks"] = new JsonObject
            {
                [network] = new JsonObject
                {
                    ["static_ips"] = new JsonArray(subnet.Host(_sandboxes[sandbox].Number)),
                    ["interface_name"] = "eth0",
                },
            },
            ["network_info"] = new JsonObject
            {
                [network] = new JsonObject
                {
                    ["name"] = network,
                    ["id"] = Id("network " + network),
                    ["driver"] = "bridge",
                    ["network_interface"] = BridgeName(network),
                    ["created"] = "2024-01-01T00:00:00Z",
                    ["subnets"] = new JsonArray(new JsonObject { ["subnet"] = subnet.Cidr, ["gateway"] = subnet.Gateway }),
                    ["ipv6_enabled"] = false,
                    ["internal"] = false,
                    ["dns_enabled"] = false,
                    ["ipam_options"] = new JsonObject { ["driver"] = "host-local" },
                },
            },
        };
        if (count > 0)
        {
            // One mapping with a range, as podman passes `-p 20000-20999:20000-20999`.
            options["port_mappings"] = new JsonArray(new JsonObject
            {
                ["host_ip"] = "",
                ["container_port"] = firstHostPort,
                ["host_port"] = firstHostPort,
                ["range"] = count,
                ["protocol"] = "tcp",
            });
        }
        return options.ToJsonString();
    }

    private void Run(string command, string network, string sandbox, int firstHostPort, int count)
    {
        var options = Options(network, sandbox, firstHostPort, count);
        lock (_network) ProcessRunner.Check(_netavark, ["--config", _config, command, _sandboxes[sandbox].Namespace.Path], options);
    }

    public void Attach(string network, string sandbox)
    {
        Run("setup", network, sandbox, 0, 0);
        _attached[(network, sandbox)] = (0, 0);
    }

    public void AttachUntimed(string network, string sandbox) => Attach(network, sandbox);

    public void DetachUntimed(string network, string sandbox) => Detach(network, sandbox);

    public void Detach(string network, string sandbox)
    {
        _attached.TryGetValue((network, sandbox), out var ports);
        Run("teardown", network, sandbox, ports.First, ports.Count);
        _attached.TryRemove((network, sandbox), out _);
    }

    public void AttachWithPorts(string network, string sandbox, int firstHostPort, int count)
    {
        CreateSandbox(sandbox);
        Run("setup", network, sandbox, firstHostPort, count);
        _attached[(network, sandbox)] = (firstHostPort, count);
    }

    public void RemovePortsSandbox(string network, string sandbox)
    {
        Detach(network, sandbox);
        RemoveNamespace(sandbox);
    }

    private void RemoveNamespace(string sandbox)
    {
        if (_sandboxes.TryRemove(sandbox, out var s))
        {
            s.Namespace.Dispose();
            _directory!.Delete(sandbox);
        }
    }

    public IReadOnlyList<int> ResidentProcesses() => [];

    public void Stop()
    {
        foreach (var (network, sandbox) in _attached.Keys.ToList())
        {
            try
            {
                Detach(network, sandbox);
            }
            catch (SystemFailureException e)
            {
                Console.Error.WriteLine($"compare: netavark cleanup: {e.Message}");
            }
        }
        foreach (var sandbox in _sandboxes.Keys.ToList()) RemoveNamespace(sandbox);
        foreach (var network in _networks.Keys.ToList()) DeleteNetwork(network);
        if (_directory is not null && Directory.Exists(_directory.Root) && !_directory.List().Any()) _directory.Release();
    }

    public void Dispose() => Stop();
}
