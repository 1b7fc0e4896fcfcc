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
/// Plexus's kernel layer: a veth pair with its peer made as eth0 inside the sandbox's namespace and the host end
/// on the bridge and up; then inside lo up, eth0 up, the address and the default route. No IPAM, no store, no
/// firewall, no API: the physical limit of an attach. Sandboxes are IPv4-only (disable_ipv6 in each namespace),
/// as Plexus and Docker make them on IPv4 networks.
/// <para>Two ways of issuing them. <b>floor</b> is the cheapest sequence known, the one Plexus's bridge driver
/// uses: the bridge has its own MAC address and MTU, each pair is made with one queue per end (no RCU wait under the
/// rtnl lock), every host end the same MAC and no IPv6 link-local address (so the kernel's walks
/// over the bridge's forwarding table and the host's IPv6 routes do not grow with N), the sandbox's part is one
/// datagram on a socket kept per sandbox, and a detach parks the pair (the sandbox end down, the host end out of
/// the bridge, both renamed) for a reaper that deletes parked pairs in batches. <b>floor-plain</b> is the same operations as a plain program issues
/// them, one request each, with the kernel's defaults and the veth deleted on detach: the floor recorded before
/// issue 13.</para>
/// </summary>
internal sealed class FloorSystem(RunPaths paths, bool plain = false) : ISystemUnderTest
{
    private const int LoopbackIndex = 1;

    /// <summary>As Plexus's BridgeDriver.HostEndMac and ParkedGroup.</summary>
    private static readonly MacAddress HostEndMac = new([0xfe, 0x50, 0x58, 0x00, 0x00, 0x01]);
    private const uint ParkedGroup = 0x506c7850;

    private readonly ConcurrentDictionary<string, Sandbox> _sandboxes = new();
    private readonly ConcurrentDictionary<string, (string Bridge, int Index, Subnet Subnet)> _networks = new();
    private readonly Lock _create = new();
    private readonly ThreadLocal<RtNetlink> _host = new(RtNetlink.Open, trackAllValues: true);
    private NamespaceDirectory? _directory;
    private LinkReaper? _reaper;
    private int _next;

    private sealed class Sandbox(int number, NetworkNamespace ns, RtNetlink? rt)
    {
        public int Number { get; } = number;
        public NetworkNamespace Namespace { get; } = ns;
        public RtNetlink? Netlink { get; } = rt;
        public (int Host, int Inside) Attached { get; set; }
    }

    public string Name => plain ? "floor-plain" : "floor";

    public string Description => plain
        ? "the kernel operations of an attach (veth pair into the namespace, bridge port, lo and eth0 up, address, default route) as a plain program issues them, one rtnetlink request each with the kernel's defaults, the veth deleted on detach: the floor recorded before issue 13"
        : "the same kernel operations as Plexus's bridge driver issues them, in process through Plexus.Kernel's rtnetlink (bridge MAC and MTU and host-end MAC set, bridge multicast snooping off, pairs made with one queue, host ends without an IPv6 link-local address, the sandbox's part in one datagram, detach parks the pair for a batched reaper): no IPAM, store, firewall or API";

    public string? NetworkCreateUnsupported => null;

    public string? PortsUnsupported => "the kernel layer alone publishes no ports (bench/firewall-ports.sh times Plexus's firewall layer alone)";

    public void Start()
    {
        _directory = new NamespaceDirectory(paths.RuntimeOf(Name + "-netns"));
        if (!plain) _reaper = new LinkReaper(NetworkNamespace.OpenProcess(), ParkedGroup);
    }

    private RtNetlink Host => _host.Value!;

    public void CreateNetwork(string network, Subnet subnet)
    {
        var bridge = (plain ? "flp-" : "flr-") + network;
        // As the bridge driver: its own MAC address, an MTU set after creation (so the kernel keeps it), multicast snooping off.
        var created = Host.CreateLink(new BridgeSpec(bridge) { Up = plain, Mac = plain ? null : RandomMac(), Mtu = plain ? null : 1501, MulticastSnooping = plain ? null : false });
        int index = created?.Index ?? Host.GetLink(bridge).Index;
        if (!plain) Host.SetLink(index, new LinkChanges { Mtu = 1500, Up = true });
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
            // A socket per sandbox, opened once, as Plexus keeps one; the plain floor opens one per attach.
            _sandboxes[sandbox] = new Sandbox(_next++, ns, plain ? null : ns.OpenRtNetlink());
        }
    }

    private string HostLink(int number) => (plain ? "flp" : "flr") + number.ToString(CultureInfo.InvariantCulture);

    public void Attach(string network, string sandbox)
    {
        if (plain) AttachPlain(network, sandbox);
        else AttachLowered(network, sandbox);
    }

    private void AttachLowered(string network, string sandbox)
    {
        var (_, bridgeIndex, subnet) = _networks[network];
        var s = _sandboxes[sandbox];
        var address = IPAddress.Parse(subnet.Host(s.Number));
        var name = HostLink(s.Number);
        var created = Host.CreateLink(new VethSpec(name, "eth0")
        {
            MasterIndex = bridgeIndex,
            Mac = HostEndMac,
            Queues = 1,
            PeerNamespace = s.Namespace,
            PeerMac = MacAddress.FromIPv4(address),
        });
        int hostIndex = created?.Index ?? Host.GetLink(name).Index;
        int eth0 = created?.ParentIndex ?? s.Netlink!.GetLink("eth0").Index;
        Host.Batch()
            .SetIPv6AddressGeneration(hostIndex, IPv6AddressGeneration.None)
            .SetLink(hostIndex, new LinkChanges { Up = true })
            .Execute();
        s.Netlink!.Batch()
            .SetLink(LoopbackIndex, new LinkChanges { Up = true })
            .SetLink(eth0, new LinkChanges { Up = true })
            .AddAddress(eth0, new IPPrefix(address, Subnet.PrefixLength))
            .ReplaceRoute(Route.DefaultVia(IPAddress.Parse(subnet.Gateway), eth0))
            .Execute();
        s.Attached = (hostIndex, eth0);
    }

    private void AttachPlain(string network, string sandbox)
    {
        var (_, index, subnet) = _networks[network];
        var s = _sandboxes[sandbox];
        var address = IPAddress.Parse(subnet.Host(s.Number));
        var opening = s.Namespace.OpenRtNetlinkAsync();
        RtNetlink? inside = null;
        try
        {
            Host.CreateLink(new VethSpec(HostLink(s.Number), "eth0")
            {
                MasterIndex = index,
                Up = true,
                PeerNamespace = s.Namespace,
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

    public void Detach(string network, string sandbox)
    {
        var s = _sandboxes[sandbox];
        if (plain)
        {
            Host.DeleteLink(HostLink(s.Number));
            return;
        }
        // As Plexus parks (VethParking): the sandbox end first (address gone, down, renamed into the group), then
        // the host end out of the bridge and renamed into the group, not set down: its carrier went with its
        // peer, and closing the second end of a pair waits out an RCU grace period under the rtnl lock.
        var (hostIndex, eth0) = s.Attached;
        var address = IPAddress.Parse(_networks[network].Subnet.Host(s.Number));
        try
        {
            s.Netlink!.Batch()
                .DeleteAddress(eth0, new IPPrefix(address, Subnet.PrefixLength), ifPresent: true)
                .SetLink(eth0, new LinkChanges { Up = false })
                .SetLink(eth0, new LinkChanges { Name = "pxp" + eth0.ToString(CultureInfo.InvariantCulture), Group = ParkedGroup })
                .Execute();
            Host.Batch()
                .SetLink(hostIndex, new LinkChanges { MasterIndex = 0 })
                .SetLink(hostIndex, new LinkChanges { Name = "pxp" + hostIndex.ToString(CultureInfo.InvariantCulture), Group = ParkedGroup })
                .Execute();
        }
        catch (KernelException e) when (e.ErrorNumber == Plexus.Kernel.Interop.Errno.ENODEV)
        {
            // the pair is gone already: nothing left to do
        }
        s.Attached = default;
        _reaper!.Parked();
    }

    public void AttachWithPorts(string network, string sandbox, int firstHostPort, int count) =>
        throw new NotSupportedException(PortsUnsupported);

    public void RemovePortsSandbox(string network, string sandbox) => throw new NotSupportedException(PortsUnsupported);

    public IReadOnlyList<int> ResidentProcesses() => [];

    public void Stop()
    {
        foreach (var (name, s) in _sandboxes.ToList())
        {
            Try(() =>
            {
                if (Host.FindLink(HostLink(s.Number)) is not null) Host.DeleteLink(HostLink(s.Number));
            });
            s.Netlink?.Dispose();
            s.Namespace.Dispose();
            Try(() => _directory?.Delete(name));
            _sandboxes.TryRemove(name, out _);
        }
        Try(() => _reaper?.ReapNow());
        foreach (var network in _networks.Keys.ToList()) Try(() => DeleteNetwork(network));
        if (_directory is not null && Directory.Exists(_directory.Root) && !_directory.List().Any()) Try(_directory.Release);
    }

    private static MacAddress RandomMac()
    {
        Span<byte> b = stackalloc byte[6];
        System.Security.Cryptography.RandomNumberGenerator.Fill(b);
        b[0] = 0x02;
        return new MacAddress(b);
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
        _reaper?.Dispose();
        foreach (var socket in _host.Values) socket.Dispose();
        _host.Dispose();
    }
}
