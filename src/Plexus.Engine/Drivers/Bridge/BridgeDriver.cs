using System.Collections.Concurrent;
using Plexus.Engine.Model;
using Plexus.Engine.Sandboxes;
using Plexus.Kernel;
using Plexus.Kernel.Interop;
using Plexus.Kernel.Namespaces;
using Plexus.Kernel.Rtnl;
using Plexus.Kernel.Rtnl.LinkKinds;
using Plexus.Kernel.Types;

namespace Plexus.Engine.Drivers.Bridge;

/// <summary>
/// The bridge driver: a Linux bridge per network with the gateway address on it; per joined endpoint a
/// veth pair whose container end is created directly inside the sandbox under its final name (eth0...),
/// so a join is one netlink request here plus the sandbox's own configuration. A leave parks the pair
/// (<see cref="VethParking"/>) and a reaper deletes parked pairs in batches. Connectivity rules go
/// through <see cref="IBridgeFirewall"/>.
/// </summary>
/// <remarks>
/// What keeps a join cheap with a thousand ports on a bridge (the kernel does some work per port on every
/// enslave and removal): the bridge has a MAC address of its own, so the kernel does not look for the lowest
/// port address to take (and change the bridge's address when a lower one joins), and an MTU set as a user
/// sets it, so the kernel does not look for the smallest port MTU either; every host end has the same
/// MAC address, <see cref="HostEndMac"/>, which the bridge holds once as a local address instead of once per
/// port (its forwarding table, which it walks on each port change, stays small); and host ends make no IPv6
/// link-local address, as a bridge port needs no addresses: otherwise each would add three routes to the host's
/// IPv6 table (one remains, the multicast one), which the kernel walks whole each time a link goes up or down.
/// That is set over netlink, not with the disable_ipv6 sysctl, which takes the kernel's lock by trying and
/// restarting the system call: with joins running side by side it spins, and eight concurrent attaches ran
/// twenty times slower.
/// </remarks>
public sealed class BridgeDriver : INetworkDriver, ILinkingDriver, IPortPublishingDriver, IDisposable
{
    public const string StateBridge = "bridge";

    private const int DefaultMtu = 1500, MaxMtu = 65535;

    /// <summary>
    /// The MAC address of every veth's host end: locally administered, unicast, and high (fe:), so a bridge
    /// without an address of its own never takes it (as libvirt does with its taps).
    /// </summary>
    public static readonly MacAddress HostEndMac = new([0xfe, 0x50, 0x58, 0x00, 0x00, 0x01]);

    /// <summary>The interface group (IFLA_GROUP) of veths that left service and wait to be deleted (<see cref="VethParking"/>).</summary>
    public const uint ParkedGroup = VethParking.Group;

    private readonly NetworkNamespace _hostNs;
    private readonly RtNetlink _host;
    private readonly IBridgeFirewall _firewall;
    private readonly BridgeOptions.Defaults _defaults;

    /// <summary>Network id to the ifindex of its bridge, once created or verified as Plexus's (<see cref="BridgeOwnership"/>).</summary>
    private readonly ConcurrentDictionary<string, int> _bridges = new(StringComparer.Ordinal);

    /// <summary>Networks whose bridge name is held by a link that is not theirs, with the reason, for join errors.</summary>
    private readonly ConcurrentDictionary<string, string> _refused = new(StringComparer.Ordinal);
    private readonly LinkReaper _reaper;
    private readonly VethParking _parking;

    /// <summary>
    /// The indexes of each joined endpoint's host and sandbox ends, as the kernel gave them at creation, so a
    /// leave needs no lookup (looking a veth up by name makes the kernel walk every namespace id it knows).
    /// </summary>
    private readonly ConcurrentDictionary<string, (int Host, int Sandbox)> _indexes = new(StringComparer.Ordinal);

    /// <param name="reapDelay">How long parked veths wait to be deleted together (<see cref="LinkReaper.DefaultDelay"/>; infinite: only at restore).</param>
    public BridgeDriver(NetworkNamespace hostNs, RtNetlink host, IBridgeFirewall? firewall = null, BridgeOptions.Defaults? defaults = null,
        TimeSpan? reapDelay = null)
    {
        _hostNs = hostNs;
        _host = host;
        _firewall = firewall ?? NoFirewall.Instance;
        _defaults = defaults ?? new BridgeOptions.Defaults();
        _reaper = new LinkReaper(hostNs, VethParking.Group, reapDelay);
        _parking = new VethParking(host, _reaper);
    }

    /// <summary>Deletes parked veths in batches; exposed for tests and the log.</summary>
    public LinkReaper Reaper => _reaper;

    public string Name => "bridge";

    /// <summary>Addresses from IPAM, published ports, DNS names, links, subnets routed by the host; one host.</summary>
    public static DriverCapabilities Declared { get; } = new()
    {
        UsesIpam = true,
        PublishesPorts = true,
        EmbeddedDns = true,
        HostRoutesSubnets = true,
        SupportsLinks = true,
    };

    public DriverCapabilities Capabilities => Declared;

    public BridgeOptions OptionsOf(NetworkState network) => BridgeOptions.Parse(network, _defaults);

    /// <summary>The MTU the network's ports (its veths, both ends) are made with.</summary>
    public int PortMtuOf(NetworkState network) => OptionsOf(network).MtuValue ?? DefaultMtu;

    public void ValidateNetwork(NetworkState network) => OptionsOf(network);

    public IReadOnlyDictionary<string, string> CreateNetwork(NetworkState network)
    {
        var options = OptionsOf(network);
        if (_host.FindLink(options.Name) is not null) throw NameTaken(network, options);
        int created = 0;
        try
        {
            created = CreateBridge(network, options);
            _firewall.AddNetwork(network, options);
        }
        catch
        {
            // Only what this call created, by index: a concurrent create that lost the name to another
            // network must not delete the winner's bridge.
            if (created != 0) DeleteBridge(network, created);
            throw;
        }
        return new Dictionary<string, string> { [StateBridge] = options.Name };
    }

    public void DeleteNetwork(NetworkState network)
    {
        var options = OptionsOf(network);
        _firewall.RemoveNetwork(network, options);
        // The bridge by the index it was made or found with, if it still carries the network's mark (even
        // renamed); else by name. A link that holds the name but is not this network's bridge is left alone.
        var link = _bridges.TryGetValue(network.Id, out var index) && _host.FindLink(index) is { } known
            && BridgeOwnership.MarkedNetwork(known) == network.Id ? known : _host.FindLink(options.Name);
        if (link is not null && BridgeOwnership.WhyNotOurs(link, network, Gateways(network, options), _host) is null)
            DeleteBridge(network, link.Index);
        _bridges.TryRemove(network.Id, out _);
        _refused.TryRemove(network.Id, out _);
    }

    /// <summary>
    /// Re-creates a missing bridge, or takes up the existing one if it is this network's (<see cref="BridgeOwnership"/>).
    /// A link of the bridge's name that is not is refused: nothing is done to it, the network has no bridge
    /// (joins fail saying why), and the exception says what to do.
    /// </summary>
    public void RestoreNetwork(NetworkState network)
    {
        var options = OptionsOf(network);
        var link = _host.FindLink(options.Name);
        if (link is null)
        {
            CreateBridge(network, options);
            return;
        }
        if (BridgeOwnership.WhyNotOurs(link, network, Gateways(network, options), _host) is { } why)
        {
            var refusal = $"network {network.Name}: the link named '{options.Name}' (index {link.Index}) is not the bridge Plexus made for it: {why}. " +
                "Plexus leaves it alone and the network has no bridge until that link is renamed or removed and plexusd restarted";
            _refused[network.Id] = refusal;
            throw new PlexusException(ErrorKind.Conflict, refusal);
        }
        if (BridgeOwnership.MarkedNetwork(link) != network.Id) _host.SetLink(link.Index, new LinkChanges { Alias = BridgeOwnership.Mark(network.Id) });
        _bridges[network.Id] = link.Index;
        _refused.TryRemove(network.Id, out _);
        if (!link.IsUp) _host.SetUp(link.Index);
        if (options.Promiscuous && (link.Flags & InterfaceFlags.Promiscuous) == 0) _host.SetLink(link.Index, new LinkChanges { Promiscuous = true });
        // A bridge made before snooping was turned off (or turned on by hand) gets the network's setting back.
        _host.SetLink(link.Index, new LinkChanges { KindOptions = new BridgeSpec(options.Name) { MulticastSnooping = options.Snooping } });
        var present = _host.ListAddresses(link.Index).Select(a => a.Prefix).ToHashSet();
        foreach (var gateway in Gateways(network, options))
            if (!present.Contains(gateway)) AddGateway(link.Index, gateway);
    }

    public void Reconcile(IReadOnlyCollection<NetworkState> networks, IReadOnlyCollection<EndpointState> joinedEndpoints) =>
        Reconcile(networks, joinedEndpoints, _ => []);

    public void Reconcile(IReadOnlyCollection<NetworkState> networks, IReadOnlyCollection<EndpointState> joinedEndpoints,
        Func<NetworkState, IReadOnlyList<LinkFlow>> linksOf)
    {
        // Rules name bridges: a network whose bridge was refused gets none, so they never touch the link holding its name.
        var ours = networks.Where(n => n.Driver == Name && _bridges.ContainsKey(n.Id)).ToList();
        _firewall.ReplaceAll(ours.Select(n => (n, OptionsOf(n),
            (IReadOnlyList<EndpointState>)joinedEndpoints.Where(e => e.NetworkId == n.Id).ToList(), linksOf(n))));
        // Hairpin is a bridge-port flag: a re-created veth needs it again.
        var hairpin = ours.Where(n => OptionsOf(n).Hairpin).Select(n => n.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var endpoint in joinedEndpoints.Where(e => (e.PortBindings.Count > 0 || hairpin.Contains(e.NetworkId)) && ours.Any(n => n.Id == e.NetworkId)))
            SetHairpin(BridgeOptions.VethNameFor(endpoint.Id));
    }

    public void SetLinks(NetworkState network, IReadOnlyList<LinkFlow> flows) => _firewall.SetLinks(network, flows);

    public EndpointState CreateEndpoint(NetworkState network, EndpointState endpoint) => endpoint with
    {
        Mac = endpoint.Mac ?? (endpoint.IPv4 is { } v4 ? MacAddress.FromIPv4(v4.Address) : RandomMac()),
        DriverState = new Dictionary<string, string> { ["veth"] = BridgeOptions.VethNameFor(endpoint.Id) },
    };

    public JoinInfo Join(NetworkState network, EndpointState endpoint, Sandbox sandbox)
    {
        if (sandbox.IsHostNamespace)
            throw PlexusException.Invalid($"sandbox {sandbox.Name} uses the host's network namespace and cannot join bridge network {network.Name}");
        var options = OptionsOf(network);
        var veth = BridgeOptions.VethNameFor(endpoint.Id);
        var ifname = endpoint.InterfaceName ?? throw new InvalidOperationException("join without an interface name");
        // The firewall first: its rules name the port, so the port is guarded (anti-spoofing) from its first frame.
        _firewall.AddEndpoint(network, options, endpoint);
        int hostIndex = 0, sandboxIndex = 0;
        // A runtime's sandbox (Docker's): the other end stays in the host's namespace, named as the endpoint's
        // interface, for the runtime to move into its container itself (libnetwork's SrcName).
        bool handOver = sandbox.RuntimeManaged;
        try
        {
            // The host end is made down: it comes up once it is told to make no IPv6 link-local address (see the remarks).
            var created = _host.CreateLink(new VethSpec(veth, ifname)
            {
                MasterIndex = BridgeIndex(network, options),
                Mac = HostEndMac,
                Mtu = options.MtuValue,
                Queues = 1, // no RCU wait under the rtnl lock at creation (see LinkSpec.Queues)
                PeerNamespace = handOver ? null : sandbox.Namespace,
                PeerMac = endpoint.Mac,
            });
            hostIndex = created?.Index ?? _host.GetLink(veth).Index;
            sandboxIndex = created?.ParentIndex ?? 0;
            var batch = _host.Batch()
                .SetIPv6AddressGeneration(hostIndex, IPv6AddressGeneration.None)
                .SetLink(hostIndex, new LinkChanges { Up = true });
            // A container reaching its own published port through a host address comes back in on the
            // port it left by: the bridge must be allowed to send it there (the firewall masquerades it).
            // A network in hairpin mode (CNI's hairpinMode) has it on every port.
            if (endpoint.PortBindings.Count > 0 || options.Hairpin) batch.SetBridgePort(hostIndex, new BridgePortSettings { Hairpin = true });
            batch.Execute();
        }
        catch
        {
            DeleteLinkIfPresent(veth);
            try
            {
                _firewall.RemoveEndpoint(network, options, endpoint);
            }
            catch (KernelException)
            {
                // The join's own error says more; rules left for a port that does not exist guard nothing, and the
                // next join of this endpoint (same port name) takes them over.
            }
            throw;
        }
        if (handOver)
        {
            _indexes[endpoint.Id] = (hostIndex, 0); // the other end is the runtime's from here on
            return RoutesOf(network, options, endpoint) with { SourceInterface = ifname };
        }
        _indexes[endpoint.Id] = (hostIndex, sandboxIndex);
        return RoutesOf(network, options, endpoint) with { InterfaceIndex = sandboxIndex > 0 ? sandboxIndex : null };
    }

    /// <summary>
    /// Takes the endpoint's veth pair out of service at once and leaves its deletion to the reaper
    /// (<see cref="VethParking"/>): the interface leaves the sandbox's view (no address, down, its name free)
    /// and the bridge, and the call returns without waiting for the kernel's grace periods.
    /// </summary>
    public void Leave(NetworkState network, EndpointState endpoint, Sandbox sandbox)
    {
        if (!_indexes.TryRemove(endpoint.Id, out var known))
        {
            // Not joined by this daemon (a restart came between): find the ends by name. The sandbox's end only as
            // the host end's peer: a link of that name whose peer is not ours is someone else's (an adopted namespace).
            known.Host = _host.FindLink(BridgeOptions.VethNameFor(endpoint.Id))?.Index ?? 0;
            if (known.Host > 0 && endpoint.InterfaceName is { } ifname && !sandbox.IsHostNamespace && !sandbox.RuntimeManaged)
                known.Sandbox = sandbox.Netlink.FindLink(ifname) is { Kind: "veth" } inside && inside.ParentIndex == known.Host ? inside.Index : 0;
        }
        var addresses = new List<IPPrefix>(2);
        if (endpoint.IPv4 is { } v4) addresses.Add(v4);
        if (endpoint.IPv6 is { } v6) addresses.Add(v6);
        // Parking takes the port off the bridge at once; it stays guarded until then: its firewall rules go after it.
        // A runtime's sandbox is never entered: the runtime took its end back out (or its namespace went, and the
        // pair with it), and parking the host end takes the whole pair.
        _parking.Park(known.Host, sandbox.IsHostNamespace || sandbox.RuntimeManaged ? null : sandbox, known.Sandbox, addresses);
        _firewall.RemoveEndpoint(network, OptionsOf(network), endpoint);
    }


    /// <summary>
    /// The whole pair as a join left it: the host end up and a port of the network's bridge, the sandbox's
    /// interface its peer (each end's IFLA_LINK names the other). Anything less is rebuilt by the caller.
    /// </summary>
    public bool IsJoined(NetworkState network, EndpointState endpoint, Sandbox sandbox)
    {
        var veth = _host.FindLink(BridgeOptions.VethNameFor(endpoint.Id));
        if (veth is null || !veth.IsUp || !_bridges.TryGetValue(network.Id, out var bridge) || veth.MasterIndex != bridge) return false;
        if (sandbox.RuntimeManaged) return true; // its other end is in the runtime's hands
        return endpoint.InterfaceName is { } ifname && sandbox.Netlink.FindLink(ifname) is { } inner
            && inner.ParentIndex == veth.Index && veth.ParentIndex == inner.Index;
    }

    /// <summary>
    /// Deletes what a previous daemon parked and did not live to reap, and the bridges and veths of Plexus's
    /// naming that nothing claims; orphan veths are parked and reaped with the rest, in one request.
    /// </summary>
    public IReadOnlyList<string> CollectGarbage(IReadOnlyCollection<NetworkState> networks, IReadOnlyCollection<EndpointState> joinedEndpoints)
    {
        var known = networks.Where(n => n.Driver == Name).Select(n => n.Id).ToHashSet(StringComparer.Ordinal);
        var veths = joinedEndpoints.Select(e => BridgeOptions.VethNameFor(e.Id)).ToHashSet(StringComparer.Ordinal);
        var removed = new List<string>();
        foreach (var link in _host.ListLinks())
        {
            if (link.Group == VethParking.Group)
            {
                removed.Add($"{link.Name} (parked by a detach)");
            }
            else if (link.Kind == "bridge" && BridgeOwnership.MarkedNetwork(link) is { } owner && !known.Contains(owner))
            {
                DeleteLinkIfPresent(link.Index);
                removed.Add(link.Name);
            }
            else if (link.Kind == "veth" && link.Name.StartsWith(BridgeOptions.VethPrefix, StringComparison.Ordinal) && !veths.Contains(link.Name))
            {
                _parking.MarkForReaping(link.Index);
                removed.Add(link.Name);
            }
        }
        if (removed.Count > 0) _reaper.ReapNow();
        return removed;
    }

    /// <summary>The ports' rules, and hairpin on the bridge port once it has published ports (as a join with ports sets it).</summary>
    public void SetPorts(NetworkState network, EndpointState before, EndpointState after)
    {
        _firewall.SetPorts(network, OptionsOf(network), before, after);
        if (after.PortBindings.Count > 0) SetHairpin(BridgeOptions.VethNameFor(after.Id));
    }

    private void SetHairpin(string veth)
    {
        if (_host.FindLink(veth) is { } link) _host.SetBridgePort(link.Index, new BridgePortSettings { Hairpin = true });
    }

    /// <summary>Stops the reaper; what is still parked is deleted at the next start, as after a crash.</summary>
    public void Dispose() => _reaper.Dispose();

    /// <summary>
    /// Creates the network's bridge and marks it as the network's; returns its index. If the name is taken
    /// meanwhile, nothing was created and the error says so; if a later step fails, the bridge is deleted.
    /// </summary>
    private int CreateBridge(NetworkState network, BridgeOptions options)
    {
        // An address of its own (as Docker gives its bridges), and an MTU set after creation: a bridge whose MTU
        // was set (ndo_change_mtu, which creation does not call) keeps it, and the kernel stops recomputing the
        // smallest MTU of its ports on every enslave and removal. Its ports get the same MTU in any case.
        // Multicast snooping is off unless asked for (BridgeOptions.MulticastSnooping): the kernel's port state
        // selection then skips every port's multicast timers on each port change, O(ports) per attach and detach.
        int mtu = options.MtuValue ?? DefaultMtu;
        Link? created;
        try
        {
            created = _host.CreateLink(new BridgeSpec(options.Name) { Mtu = mtu < MaxMtu ? mtu + 1 : mtu - 1, Mac = RandomMac(), MulticastSnooping = options.Snooping });
        }
        catch (KernelException e) when (e.ErrorNumber == Errno.EEXIST)
        {
            throw NameTaken(network, options);
        }
        // The kernel does not take IFLA_IFALIAS in a create request: the mark is set right after.
        int index = created?.Index ?? _host.GetLink(options.Name).Index;
        try
        {
            _host.SetLink(index, new LinkChanges { Alias = BridgeOwnership.Mark(network.Id), Mtu = mtu, Up = true, Promiscuous = options.Promiscuous ? true : null });
            foreach (var gateway in Gateways(network, options)) AddGateway(index, gateway);
            _hostNs.SetSysctl(Sysctl.IPv4Forwarding, "1");
            if (network.EnableIPv6) _hostNs.SetSysctl(Sysctl.IPv6Forwarding, "1");
        }
        catch
        {
            DeleteLinkIfPresent(index);
            throw;
        }
        _bridges[network.Id] = index;
        _refused.TryRemove(network.Id, out _);
        return index;
    }

    private static PlexusException NameTaken(NetworkState network, BridgeOptions options) =>
        PlexusException.Conflict($"network {network.Name}: a link named '{options.Name}' already exists on the host; choose another {BridgeOptions.BridgeName}");

    private void AddGateway(int index, IPPrefix gateway) =>
        _host.AddAddress(index, gateway, gateway.IsIPv4 ? AddressFlags.None : AddressFlags.NoDad);

    /// <summary>The addresses the bridge holds: its subnets' gateways, none when another router is the gateway (<see cref="BridgeOptions.GatewayOnBridge"/>).</summary>
    private static IEnumerable<IPPrefix> Gateways(NetworkState network, BridgeOptions options) =>
        !options.IsGateway ? [] : network.Subnets.Where(s => s.IpVersion == 4 || network.EnableIPv6)
            .Select(s => new IPPrefix(s.Gateway, s.Subnet.PrefixLength));

    /// <summary>
    /// The default routes a join offers (each family unless the network says otherwise) and the network's own routes;
    /// a route without a gateway goes via the gateway of the endpoint's subnet (on the link when the family has none).
    /// </summary>
    private static JoinInfo RoutesOf(NetworkState network, BridgeOptions options, EndpointState endpoint)
    {
        var gateways = JoinInfo.GatewaysOf(network, endpoint);
        return gateways with
        {
            GatewayV4 = options.DefaultRouteV4 ? gateways.GatewayV4 : null,
            GatewayV6 = options.DefaultRouteV6 ? gateways.GatewayV6 : null,
            StaticRoutes = [.. options.StaticRoutes.Select(r => r.NextHop is not null ? r
                : r with { NextHop = JoinInfo.SubnetGatewayOf(network, r.Destination.IsIPv4 ? endpoint.IPv4 : endpoint.IPv6, r.Destination.IsIPv4 ? 4 : 6) })],
        };
    }

    private int BridgeIndex(NetworkState network, BridgeOptions options) =>
        _bridges.TryGetValue(network.Id, out var index) ? index
        : throw new PlexusException(ErrorKind.Conflict, _refused.TryGetValue(network.Id, out var refusal) ? refusal
            : $"network {network.Name} has no bridge '{options.Name}': restoring it failed when plexusd started (see its log)");

    private void DeleteBridge(NetworkState network, int index)
    {
        _bridges.TryRemove(new KeyValuePair<string, int>(network.Id, index));
        DeleteLinkIfPresent(index);
    }

    private void DeleteLinkIfPresent(int index)
    {
        try
        {
            _host.DeleteLink(index);
        }
        catch (KernelException e) when (e.ErrorNumber == Errno.ENODEV)
        {
        }
    }

    private void DeleteLinkIfPresent(string name)
    {
        try
        {
            _host.DeleteLink(name);
        }
        catch (KernelException e) when (e.ErrorNumber == Errno.ENODEV)
        {
        }
    }

    private static MacAddress RandomMac()
    {
        Span<byte> b = stackalloc byte[6];
        Kernel.Types.SecureRandom.Fill(b);
        b[0] = 0x02;
        b[1] = 0x42;
        return new MacAddress(b);
    }
}
