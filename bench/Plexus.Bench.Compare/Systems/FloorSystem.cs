using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Plexus.Kernel;
using Plexus.Kernel.Namespaces;
using Plexus.Kernel.Rtnl;
using Plexus.Kernel.Rtnl.LinkKinds;
using Plexus.Kernel.Types;

namespace Plexus.Bench.Compare.Systems;

/// <summary>
/// The floor: the kernel operations of an attach issued back to back by a minimal program, in process, through
/// Plexus's kernel layer (as bench/kernel-attach.sh's "plexus" method): a veth pair with its peer made as
/// eth0 inside the sandbox's namespace and the host end on the bridge and up; then inside lo up, eth0 up, the
/// address and the default route. No IPAM, no store, no firewall, no API: the physical limit of an attach.
/// Sandboxes are IPv4-only (disable_ipv6 in each namespace), as Plexus and Docker make them on IPv4 networks.
/// </summary>
internal sealed class FloorSystem(RunPaths paths) : ISystemUnderTest
{
    private const int LoopbackIndex = 1;
    private readonly ConcurrentDictionary<string, (int Number, NetworkNamespace Namespace)> _sandboxes = new();
    private readonly ConcurrentDictionary<string, (string Bridge, int Index, Subnet Subnet)> _networks = new();
    private readonly Lock _create = new();
    private readonly ThreadLocal<RtNetlink> _host = new(RtNetlink.Open, trackAllValues: true);
    private NamespaceDirectory? _directory;
    private int _next;

    public string Name => "floor";

    public string Description =>
        "the kernel operations of an attach (veth pair into the namespace, bridge port, lo and eth0 up, address, default route) back to back, in process through Plexus.Kernel's rtnetlink: no IPAM, store, firewall or API";

    public string? NetworkCreateUnsupported => null;

    public string? PortsUnsupported => "the kernel layer alone publishes no ports (bench/firewall-ports.sh times Plexus's firewall layer alone)";

    public void Start() => _directory = new NamespaceDirectory(paths.RuntimeOf("floor-netns"));

    private RtNetlink Host => _host.Value!;

    public void CreateNetwork(string network, Subnet subnet)
    {
        var bridge = "flr-" + network;
        Host.CreateLink(new BridgeSpec(bridge) { Up = true });
        int index = Host.GetLink(bridge).Index;
        Host.AddAddress(index, new IPPrefix(IPAddress.Parse(subnet.Gateway), Subnet.PrefixLength));
        _networks[network] = (bridge, index, subnet);
    }

    public void DeleteNetwork(string network)
    {
        if (_networks.TryRemove(network, out var n)) Host.DeleteLink(n.Bridge);
    }

    public void CreateSandbox(string sandbox)
    {
        lock (_create)
        {
            var ns = _directory!.Create(sandbox);
            ns.SetSysctl("net.ipv6.conf.default.disable_ipv6", "1");
            _sandboxes[sandbox] = (_next++, ns);
        }
    }

    private static string HostLink(int number) => "flr" + number.ToString(CultureInfo.InvariantCulture);

    public void Attach(string network, string sandbox)
    {
        var (_, index, subnet) = _networks[network];
        var (number, ns) = _sandboxes[sandbox];
        var address = IPAddress.Parse(subnet.Host(number));
        var opening = ns.OpenRtNetlinkAsync();
        RtNetlink? inside = null;
        try
        {
            Host.CreateLink(new VethSpec(HostLink(number), "eth0")
            {
                MasterIndex = index,
                Up = true,
                PeerNamespace = ns,
                PeerMac = MacAddress.FromIPv4(address),
            });
            inside = opening.GetAwaiter().GetResult();
            inside.SetUp(LoopbackIndex);
            int eth0 = inside.GetLink("eth0").Index;
            inside.SetUp(eth0);
            inside.AddAddress(eth0, new IPPrefix(address, Subnet.PrefixLength));
            inside.AddRoute(Route.DefaultVia(IPAddress.Parse(subnet.Gateway), eth0));
        }
        finally
        {
            if (inside is null)
            {
                try
                {
                    inside = opening.GetAwaiter().GetResult();
                }
                catch (KernelException)
                {
                    // the veth's error is the one to report
                }
            }
            inside?.Dispose();
        }
    }

    public void AttachUntimed(string network, string sandbox) => Attach(network, sandbox);

    public void DetachUntimed(string network, string sandbox) => Detach(network, sandbox);

    public void Detach(string network, string sandbox) => Host.DeleteLink(HostLink(_sandboxes[sandbox].Number));

    public void AttachWithPorts(string network, string sandbox, int firstHostPort, int count) =>
        throw new NotSupportedException(PortsUnsupported);

    public void RemovePortsSandbox(string network, string sandbox) => throw new NotSupportedException(PortsUnsupported);

    public IReadOnlyList<int> ResidentProcesses() => [];

    public void Stop()
    {
        foreach (var (name, (number, ns)) in _sandboxes.ToList())
        {
            Try(() =>
            {
                if (Host.FindLink(HostLink(number)) is not null) Host.DeleteLink(HostLink(number));
            });
            ns.Dispose();
            Try(() => _directory?.Delete(name));
            _sandboxes.TryRemove(name, out _);
        }
        foreach (var network in _networks.Keys.ToList()) Try(() => DeleteNetwork(network));
        if (_directory is not null && Directory.Exists(_directory.Root) && !_directory.List().Any()) Try(_directory.Release);
    }

    private static void Try(Action action)
    {
        try
        {
            action();
        }
        catch (Exception e) when (e is KernelException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"compare: floor cleanup: {e.Message}");
        }
    }

    public void Dispose()
    {
        Stop();
        foreach (var socket in _host.Values) socket.Dispose();
        _host.Dispose();
    }
}
