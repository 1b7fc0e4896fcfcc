using System.Collections.Concurrent;
using System.Net;
using Plexus.Engine.Drivers.Bridge;
using Plexus.Engine.Model;
using Plexus.Engine.Sandboxes;
using Plexus.Kernel;
using Plexus.Kernel.Namespaces;
using Plexus.Kernel.Interop;
using Plexus.Kernel.Rtnl;
using Plexus.Kernel.Rtnl.LinkKinds;
using Plexus.Kernel.Types;

namespace Plexus.Engine.Drivers.Overlay;

/// <summary>
/// Networks that span hosts over VXLAN (libnetwork's overlay driver, flannel's vxlan backend). On a host with
/// endpoints of a network: a bridge and a VXLAN device enslaved to it (learning off, UDP 4789, local = this host's
/// VTEP, MTU the underlay's minus 50, ARP answered by the device itself), made on the first local endpoint and
/// removed with the last; each endpoint a veth pair from the bridge into its sandbox. Remote endpoints are static
/// entries, given by the controller from the cluster store (<see cref="SetPeer"/>): the device's FDB sends their
/// MAC to their host's VTEP, its neighbour table answers ARP for their address. Nothing floods, nothing is learned.
/// </summary>
/// <remarks>
/// <para>
/// Outbound access is a distributed gateway rather than libnetwork's docker_gwbridge (a second interface per sandbox
/// on a local bridge): every host's overlay bridge holds the network's gateway address, the same on every host.
/// That works because nothing floods over VXLAN: the device answers ARP itself (proxy) and only for remote
/// endpoints, which come from endpoint records and so never include the gateway, and a broadcast has no FDB entry
/// to go to. A sandbox therefore resolves the gateway to its own host's bridge and leaves through its own host. The
/// host then treats the overlay bridge as a bridge network: the bridge driver's firewall rules (<see cref="IBridgeFirewall"/>,
/// one <c>BridgeRules</c> per network) masquerade the subnet's traffic leaving by other interfaces, drop whatever
/// another bridge (local or overlay) forwards into it, and with --internal let nothing in or out. One interface per
/// sandbox, no second bridge, no second address from the pool, and the isolation is the one bridge networks already
/// have, tested. What it gives up: the host itself cannot talk to a sandbox on another host (that sandbox's answer
/// goes to its own host's gateway, which holds the same address), which nothing needs.
/// </para>
/// <para>
/// The bridge driver's start-up <c>ReplaceAll</c> knows only bridge networks: it runs before this driver's
/// <see cref="Reconcile"/> (drivers are reconciled in the order they are registered), which puts the overlay
/// networks' rules back. The VNI comes from the network's options
/// (<see cref="OverlayOptions.VxlanId"/>), allocated cluster-wide by the controller. Calls for one network are
/// serialised here (joins of one network run side by side in the controller).
/// </para>
/// </remarks>
public sealed class OverlayDriver(RtNetlink host, IPAddress? vtep, IBridgeFirewall? firewall = null, NetworkNamespace? hostNs = null) : INetworkDriver, IPortPublishingDriver
{
    private readonly IBridgeFirewall _firewall = firewall ?? NoFirewall.Instance;

    public const string DriverName = "overlay";
    public const ushort VxlanPort = 4789;
    private const string BridgePrefix = "ov-", VxlanPrefix = "vx-", VethPrefix = "ve-";

    private static readonly System.Buffers.SearchValues<char> HexDigits = System.Buffers.SearchValues.Create("0123456789abcdef");

    private readonly ConcurrentDictionary<string, NetworkDevices> _networks = new(StringComparer.Ordinal);

    public string Name => DriverName;

    /// <summary>Global networks, reachable across hosts; addresses from (global) IPAM and names from the resolver.</summary>
    public DriverCapabilities Capabilities { get; } = new()
    {
        DataScope = DataScope.Global, ConnectivityScope = DataScope.Global, UsesIpam = true, EmbeddedDns = true,
        PublishesPorts = true, // on the sandbox's own host, by the bridge firewall's port mappings
    };

    /// <summary>This host's VTEP (--cluster-advertise), or null when the daemon is in no cluster.</summary>
    public IPAddress? Vtep => vtep;

    public static string BridgeName(string networkId) => BridgePrefix + networkId[..12];

    public static string VxlanName(string networkId) => VxlanPrefix + networkId[..12];

    public static string VethName(string endpointId) => VethPrefix + endpointId[..12];

    public void ValidateNetwork(NetworkState network) => OverlayOptions.Parse(network);

    /// <summary>Nothing in the kernel yet: the devices come with the first local endpoint.</summary>
    public IReadOnlyDictionary<string, string> CreateNetwork(NetworkState network)
    {
        Devices(network);
        return new Dictionary<string, string>();
    }

    public void DeleteNetwork(NetworkState network)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (!_networks.TryRemove(network.Id, out var devices)) devices = new NetworkDevices(network.Id, OverlayOptions.Parse(network));
        lock (devices)
        {
            devices.Firewalled ??= network; // its rules go too, whether or not this run made them
            RemoveDevices(devices);
        }
    }

    public void RestoreNetwork(NetworkState network) => Devices(network);

    /// <summary>Docker's MAC from the IPv4 address, so a MAC is known before the join and can be published.</summary>
    public EndpointState CreateEndpoint(NetworkState network, EndpointState endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return endpoint.Mac is not null ? endpoint : endpoint with { Mac = endpoint.IPv4 is { } v4 ? MacAddress.FromIPv4(v4.Address) : RandomMac() };
    }

    public JoinInfo Join(NetworkState network, EndpointState endpoint, Sandbox sandbox)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(sandbox);
        if (sandbox.IsHostNamespace)
            throw PlexusException.Invalid($"sandbox {sandbox.Name} uses the host's network namespace and cannot join overlay network {network.Name}");
        var ifname = endpoint.InterfaceName ?? throw new InvalidOperationException("join without an interface name");
        var devices = Devices(network);
        lock (devices)
        {
            bool made = EnsureDevices(devices, network);
            try
            {
                // Published ports: the bridge firewall's mappings into the sandbox's address on this host.
                if (endpoint.PortBindings.Count > 0) _firewall.AddEndpoint(network, FirewallOptions(network), endpoint);
                host.CreateLink(new VethSpec(VethName(endpoint.Id), ifname)
                {
                    Mtu = devices.Mtu, MasterIndex = devices.BridgeIndex, Up = true, Queues = 1, PeerNamespace = sandbox.Namespace, PeerMac = endpoint.Mac,
                });
            }
            catch (Exception e)
            {
                if (endpoint.PortBindings.Count > 0) _firewall.RemoveEndpoint(network, FirewallOptions(network), endpoint);
                if (made && devices.Local.Count == 0) RemoveDevices(devices);
                throw e is KernelException k ? new PlexusException(ErrorKind.Internal, $"network {network.Name}: cannot create the endpoint's interface: {k.Message}", k) : e;
            }
            devices.Local.Add(endpoint.Id);
            if (endpoint.PortBindings.Count > 0) SetHairpin(VethName(endpoint.Id));
        }
        // The gateway is this host's bridge (see the remarks); none for an internal network.
        return JoinInfo.GatewaysOf(network, endpoint);
    }

    public void Leave(NetworkState network, EndpointState endpoint, Sandbox sandbox)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(endpoint);
        var devices = Devices(network);
        lock (devices)
        {
            DeleteLinkQuietly(VethName(endpoint.Id));
            _firewall.RemoveEndpoint(network, FirewallOptions(network), endpoint); // nothing to do without published ports
            devices.Local.Remove(endpoint.Id);
            if (devices.Local.Count == 0) RemoveDevices(devices);
        }
    }

    public bool IsJoined(NetworkState network, EndpointState endpoint, Sandbox sandbox)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(sandbox);
        return endpoint.InterfaceName is { } ifname && sandbox.Netlink.FindLink(ifname) is not null
            && host.FindLink(VethName(endpoint.Id)) is { } veth && host.FindLink(BridgeName(network.Id)) is { } bridge && veth.MasterIndex == bridge.Index;
    }

    /// <summary>After a restart: each network's local endpoints counted again, and its devices and peers made if they are missing.</summary>
    public void Reconcile(IReadOnlyCollection<NetworkState> networks, IReadOnlyCollection<EndpointState> joinedEndpoints)
    {
        ArgumentNullException.ThrowIfNull(networks);
        ArgumentNullException.ThrowIfNull(joinedEndpoints);
        foreach (var network in networks.Where(n => n.Driver == DriverName))
        {
            var devices = Devices(network);
            lock (devices)
            {
                devices.Local.Clear();
                foreach (var endpoint in joinedEndpoints.Where(e => e.NetworkId == network.Id)) devices.Local.Add(endpoint.Id);
                if (devices.Local.Count > 0) EnsureDevices(devices, network);
                else RemoveDevices(devices);
                // The bridge driver's ReplaceAll, just before, knew nothing of these endpoints' published ports.
                foreach (var endpoint in joinedEndpoints.Where(e => e.NetworkId == network.Id && e.PortBindings.Count > 0))
                {
                    _firewall.AddEndpoint(network, FirewallOptions(network), endpoint);
                    SetHairpin(VethName(endpoint.Id));
                }
            }
        }
    }

    /// <summary>Bridges, VXLAN devices and veths named as this driver names them that belong to no network or endpoint.</summary>
    public IReadOnlyList<string> CollectGarbage(IReadOnlyCollection<NetworkState> networks, IReadOnlyCollection<EndpointState> joinedEndpoints)
    {
        ArgumentNullException.ThrowIfNull(networks);
        ArgumentNullException.ThrowIfNull(joinedEndpoints);
        var keep = new HashSet<string>(StringComparer.Ordinal);
        foreach (var network in networks.Where(n => n.Driver == DriverName))
            if (joinedEndpoints.Any(e => e.NetworkId == network.Id)) keep.UnionWith([BridgeName(network.Id), VxlanName(network.Id)]);
        foreach (var endpoint in joinedEndpoints) if (endpoint.Id.Length >= 12) keep.Add(VethName(endpoint.Id));
        var removed = new List<string>();
        foreach (var link in host.ListLinks())
        {
            bool ours = (link.Name.StartsWith(BridgePrefix, StringComparison.Ordinal) && link.Kind == "bridge")
                || (link.Name.StartsWith(VxlanPrefix, StringComparison.Ordinal) && link.Kind == "vxlan")
                || (link.Name.StartsWith(VethPrefix, StringComparison.Ordinal) && link.Kind == "veth");
            // Only names this driver makes: prefix and 12 hex digits of an id, so a user's "ve-lab" is never touched.
            if (!ours || keep.Contains(link.Name) || link.Name.Length != 15 || link.Name.AsSpan(3).IndexOfAnyExcept(HexDigits) >= 0) continue;
            DeleteLinkQuietly(link.Name);
            removed.Add(link.Name);
        }
        return removed;
    }

    /// <summary>Ports published after the join (Docker's ProgramExternalConnectivity), and hairpin so the sandbox reaches its own.</summary>
    public void SetPorts(NetworkState network, EndpointState before, EndpointState after)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(after);
        _firewall.SetPorts(network, FirewallOptions(network), before, after);
        if (after.PortBindings.Count > 0) SetHairpin(VethName(after.Id));
    }

    private void SetHairpin(string veth)
    {
        if (host.FindLink(veth) is { } link) host.SetBridgePort(link.Index, new BridgePortSettings { Hairpin = true });
    }

    /// <summary>Adds or replaces a remote endpoint; programmed at once if the network has local endpoints, else when it gets one.</summary>
    public void SetPeer(OverlayPeer peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        var devices = _networks.GetOrAdd(peer.NetworkId, id => new NetworkDevices(id, null));
        lock (devices)
        {
            devices.Peers[peer.EndpointId] = peer;
            if (devices.VxlanIndex is { } vx) Program(vx, peer);
        }
    }

    /// <summary>Removes a remote endpoint and its entries.</summary>
    public void RemovePeer(string networkId, string endpointId)
    {
        if (!_networks.TryGetValue(networkId, out var devices)) return;
        lock (devices)
        {
            if (!devices.Peers.Remove(endpointId, out var peer)) return;
            if (devices.VxlanIndex is { } vx) Unprogram(vx, peer);
        }
    }

    /// <summary>The remote endpoints of a network known now (for reconciliation after a relist).</summary>
    public IReadOnlyList<OverlayPeer> PeersOf(string networkId)
    {
        if (!_networks.TryGetValue(networkId, out var devices)) return [];
        lock (devices) return [.. devices.Peers.Values];
    }

    private NetworkDevices Devices(NetworkState network)
    {
        var options = OverlayOptions.Parse(network);
        var devices = _networks.GetOrAdd(network.Id, id => new NetworkDevices(id, options));
        devices.Options ??= options;
        return devices;
    }

    /// <summary>
    /// Makes the bridge (with the gateway address) and the VXLAN device if they are missing, programs every known peer
    /// and puts the network's firewall rules in place. Returns whether it made the devices.
    /// </summary>
    private bool EnsureDevices(NetworkDevices devices, NetworkState network)
    {
        string networkName = network.Name;
        var bridge = host.FindLink(BridgeName(devices.NetworkId));
        var vxlan = host.FindLink(VxlanName(devices.NetworkId));
        if (bridge is not null && vxlan is not null && vxlan.MasterIndex == bridge.Index)
        {
            devices.BridgeIndex = bridge.Index;
            devices.VxlanIndex = vxlan.Index;
            devices.Mtu = bridge.Mtu;
            foreach (var peer in devices.Peers.Values) Program(vxlan.Index, peer);
            try
            {
                EnsureGateway(bridge.Index, network);
            }
            catch (KernelException e)
            {
                throw new PlexusException(ErrorKind.Internal, $"overlay network {networkName}: cannot give its bridge the gateway address: {e.Message}", e);
            }
            devices.Firewalled = network;
            _firewall.AddNetwork(network, FirewallOptions(network)); // a no-op when the rules are in place
            return false;
        }
        var local = vtep ?? throw new PlexusException(ErrorKind.InvalidArgument,
            $"overlay network {networkName} needs this host's VTEP address: start plexusd with --cluster-advertise ADDRESS");
        var options = devices.Options ?? throw new InvalidOperationException($"overlay network {networkName} is not known to the driver");
        if (options.Vni == 0) throw new PlexusException(ErrorKind.Internal, $"overlay network {networkName} has no VXLAN id");
        var underlay = host.ListAddresses().FirstOrDefault(a => a.Prefix.Address.Equals(local))
            ?? throw new PlexusException(ErrorKind.InvalidArgument, $"overlay network {networkName}: the advertise address {local} is on no interface of this host");
        int mtu = options.Mtu ?? host.GetLink(underlay.Index).Mtu - OverlayOptions.Overhead;
        RemoveDevices(devices); // a half-made pair from before
        try
        {
            var madeBridge = host.CreateLink(new BridgeSpec(BridgeName(devices.NetworkId)) { Mtu = mtu, StpEnabled = false, ForwardDelay = 0, Up = true })
                ?? host.GetLink(BridgeName(devices.NetworkId));
            var madeVxlan = host.CreateLink(new VxlanSpec(VxlanName(devices.NetworkId), options.Vni)
            {
                Local = local, Port = VxlanPort, Learning = false, Proxy = true, Underlay = underlay.Index, Mtu = mtu,
                MasterIndex = madeBridge.Index, Up = true,
            }) ?? host.GetLink(VxlanName(devices.NetworkId));
            devices.BridgeIndex = madeBridge.Index;
            devices.VxlanIndex = madeVxlan.Index;
            devices.Mtu = mtu;
            foreach (var peer in devices.Peers.Values) Program(madeVxlan.Index, peer);
            EnsureGateway(madeBridge.Index, network);
            // The rules after the bridge: the firewall sets sysctls on it (route_localnet). Then forwarding, as the bridge driver does.
            devices.Firewalled = network;
            _firewall.AddNetwork(network, FirewallOptions(network));
            if (!network.Internal)
            {
                hostNs?.SetSysctl(Sysctl.IPv4Forwarding, "1");
                if (network.EnableIPv6) hostNs?.SetSysctl(Sysctl.IPv6Forwarding, "1");
            }
            return true;
        }
        catch (KernelException e)
        {
            RemoveDevices(devices);
            throw new PlexusException(ErrorKind.Internal, $"overlay network {networkName}: cannot make its bridge and VXLAN device (VNI {options.Vni}): {e.Message}", e);
        }
        catch
        {
            RemoveDevices(devices);
            throw;
        }
    }

    /// <summary>
    /// The rules of a bridge network for the overlay bridge: masquerade unless internal, icc on (as Docker's overlay),
    /// isolation from every other bridge. No anti-spoofing: the VXLAN port carries every remote endpoint's MAC, and the
    /// bridge firewall guards ports by the bridge driver's veth names.
    /// </summary>
    private static BridgeOptions FirewallOptions(NetworkState network) =>
        new() { Name = BridgeName(network.Id), Icc = true, IPMasquerade = true, AntiSpoofingEnabled = false };

    /// <summary>The network's gateway addresses on this host's bridge (the same on every host; never published as a peer).</summary>
    private void EnsureGateway(int bridge, NetworkState network)
    {
        var present = host.ListAddresses(bridge).Select(a => a.Prefix).ToHashSet();
        foreach (var subnet in network.Subnets.Where(s => s.IpVersion == 4 || network.EnableIPv6))
        {
            var gateway = new IPPrefix(subnet.Gateway, subnet.Subnet.PrefixLength);
            if (!present.Contains(gateway)) host.AddAddress(bridge, gateway, gateway.IsIPv4 ? AddressFlags.None : AddressFlags.NoDad);
        }
    }

    private void RemoveDevices(NetworkDevices devices)
    {
        if (devices.Firewalled is { } network)
        {
            _firewall.RemoveNetwork(network, FirewallOptions(network));
            devices.Firewalled = null;
        }
        DeleteLinkQuietly(VxlanName(devices.NetworkId));
        DeleteLinkQuietly(BridgeName(devices.NetworkId));
        devices.VxlanIndex = null;
        devices.BridgeIndex = null;
    }

    /// <summary>MAC to the peer's VTEP in the device's FDB (NTF_SELF: the VXLAN device's own table), and its address to its MAC for ARP.</summary>
    private void Program(int vxlan, OverlayPeer peer)
    {
        host.AddNeighbour(new Neighbour
        {
            Family = NeighbourFamily.Bridge, Index = vxlan, Mac = peer.Mac, Destination = peer.Vtep, Flags = NeighbourFlags.Self, State = NeighbourState.Permanent,
        }, replace: true);
        if (peer.IPv4 is { } ip)
            host.AddNeighbour(new Neighbour { Family = NeighbourFamily.IPv4, Index = vxlan, Destination = ip, Mac = peer.Mac, State = NeighbourState.Permanent }, replace: true);
    }

    private void Unprogram(int vxlan, OverlayPeer peer)
    {
        DeleteNeighbourQuietly(new Neighbour { Family = NeighbourFamily.Bridge, Index = vxlan, Mac = peer.Mac, Destination = peer.Vtep, Flags = NeighbourFlags.Self });
        if (peer.IPv4 is { } ip) DeleteNeighbourQuietly(new Neighbour { Family = NeighbourFamily.IPv4, Index = vxlan, Destination = ip, Mac = peer.Mac });
    }

    private void DeleteNeighbourQuietly(Neighbour entry)
    {
        try
        {
            host.DeleteNeighbour(entry);
        }
        catch (KernelException e) when (e.ErrorNumber is Errno.ENOENT or Errno.ENODEV)
        {
        }
    }

    private void DeleteLinkQuietly(string name)
    {
        try
        {
            host.DeleteLink(name);
        }
        catch (KernelException e) when (e.ErrorNumber is Errno.ENODEV or Errno.ENOENT)
        {
        }
    }

    private static MacAddress RandomMac()
    {
        Span<byte> b = stackalloc byte[6];
        System.Security.Cryptography.RandomNumberGenerator.Fill(b);
        b[0] = (byte)((b[0] & 0xfe) | 0x02); // unicast, locally administered
        return new MacAddress(b);
    }

    /// <summary>One network's devices on this host, its local endpoints and the remote ones it knows. Locked while changed.</summary>
    private sealed class NetworkDevices(string networkId, OverlayOptions? options)
    {
        public string NetworkId { get; } = networkId;
        public OverlayOptions? Options { get; set; } = options;
        public int? BridgeIndex { get; set; }
        public int? VxlanIndex { get; set; }
        public int? Mtu { get; set; }

        /// <summary>The network whose rules this host's firewall holds for the bridge (removed with the devices).</summary>
        public NetworkState? Firewalled { get; set; }

        public HashSet<string> Local { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, OverlayPeer> Peers { get; } = new(StringComparer.Ordinal);
    }
}
