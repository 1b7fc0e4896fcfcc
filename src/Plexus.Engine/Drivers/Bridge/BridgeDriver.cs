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
/// so a join is one netlink request here plus the sandbox's own configuration. Connectivity rules go
/// through <see cref="IBridgeFirewall"/>.
/// </summary>
public sealed class BridgeDriver : INetworkDriver
{
    public const string StateBridge = "bridge";

    private readonly NetworkNamespace _hostNs;
    private readonly RtNetlink _host;
    private readonly IBridgeFirewall _firewall;
    private readonly BridgeOptions.Defaults _defaults;
    private readonly ConcurrentDictionary<string, int> _bridgeIndex = new(StringComparer.Ordinal);

    public BridgeDriver(NetworkNamespace hostNs, RtNetlink host, IBridgeFirewall? firewall = null, BridgeOptions.Defaults? defaults = null)
    {
        _hostNs = hostNs;
        _host = host;
        _firewall = firewall ?? NoFirewall.Instance;
        _defaults = defaults ?? new BridgeOptions.Defaults();
    }

    public string Name => "bridge";

    public BridgeOptions OptionsOf(NetworkState network) => BridgeOptions.Parse(network, _defaults);

    public void ValidateNetwork(NetworkState network) => OptionsOf(network);

    public IReadOnlyDictionary<string, string> CreateNetwork(NetworkState network)
    {
        var options = OptionsOf(network);
        if (_host.FindLink(options.Name) is not null)
            throw PlexusException.Conflict($"network {network.Name}: a link named '{options.Name}' already exists on the host; choose another {BridgeOptions.BridgeName}");
        try
        {
            CreateBridge(network, options);
            _firewall.AddNetwork(network, options);
        }
        catch
        {
            DeleteBridge(options.Name);
            throw;
        }
        return new Dictionary<string, string> { [StateBridge] = options.Name };
    }

    public void DeleteNetwork(NetworkState network)
    {
        var options = OptionsOf(network);
        _firewall.RemoveNetwork(network, options);
        DeleteBridge(options.Name);
    }

    public void RestoreNetwork(NetworkState network)
    {
        var options = OptionsOf(network);
        var link = _host.FindLink(options.Name);
        if (link is null)
        {
            CreateBridge(network, options);
        }
        else
        {
            _bridgeIndex[options.Name] = link.Index;
            if (!link.IsUp) _host.SetUp(link.Index);
            var present = _host.ListAddresses(link.Index).Select(a => a.Prefix).ToHashSet();
            foreach (var gateway in Gateways(network))
                if (!present.Contains(gateway)) AddGateway(link.Index, gateway);
        }
    }

    public void Reconcile(IReadOnlyCollection<NetworkState> networks, IReadOnlyCollection<EndpointState> joinedEndpoints,
        Func<NetworkState, IReadOnlyList<LinkFlow>> linksOf)
    {
        var ours = networks.Where(n => n.Driver == Name).ToList();
        _firewall.ReplaceAll(ours.Select(n => (n, OptionsOf(n),
            (IReadOnlyList<EndpointState>)joinedEndpoints.Where(e => e.NetworkId == n.Id).ToList(), linksOf(n))));
        // Hairpin is a bridge-port flag: a re-created veth needs it again.
        foreach (var endpoint in joinedEndpoints.Where(e => e.PortBindings.Count > 0 && ours.Any(n => n.Id == e.NetworkId)))
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
        _host.CreateLink(new VethSpec(veth, ifname)
        {
            MasterIndex = BridgeIndex(options.Name),
            Up = true,
            Mtu = options.MtuValue,
            PeerNamespace = sandbox.Namespace,
            PeerMac = endpoint.Mac,
        });
        try
        {
            // A container reaching its own published port through a host address comes back in on the
            // port it left by: the bridge must be allowed to send it there (the firewall masquerades it).
            if (endpoint.PortBindings.Count > 0) SetHairpin(veth);
            _firewall.AddEndpoint(network, options, endpoint);
        }
        catch
        {
            DeleteLinkIfPresent(veth);
            throw;
        }
        return new JoinInfo
        {
            GatewayV4 = network.Internal ? null : network.Subnets.FirstOrDefault(s => s.IpVersion == 4)?.Gateway,
            GatewayV6 = network.Internal || !network.EnableIPv6 ? null : network.Subnets.FirstOrDefault(s => s.IpVersion == 6)?.Gateway,
        };
    }

    public void Leave(NetworkState network, EndpointState endpoint, Sandbox sandbox)
    {
        _firewall.RemoveEndpoint(network, OptionsOf(network), endpoint);
        // Deleting the host end removes the pair, and with it the sandbox's interface and its routes.
        DeleteLinkIfPresent(BridgeOptions.VethNameFor(endpoint.Id));
    }

    public bool IsJoined(NetworkState network, EndpointState endpoint, Sandbox sandbox) =>
        _host.FindLink(BridgeOptions.VethNameFor(endpoint.Id)) is not null
        && endpoint.InterfaceName is { } ifname && sandbox.Netlink.FindLink(ifname) is not null;

    public IReadOnlyList<string> CollectGarbage(IReadOnlyCollection<NetworkState> networks, IReadOnlyCollection<EndpointState> joinedEndpoints)
    {
        var bridges = networks.Where(n => n.Driver == Name).Select(n => OptionsOf(n).Name).ToHashSet(StringComparer.Ordinal);
        var veths = joinedEndpoints.Select(e => BridgeOptions.VethNameFor(e.Id)).ToHashSet(StringComparer.Ordinal);
        var removed = new List<string>();
        foreach (var link in _host.ListLinks())
        {
            bool orphan = (link.Kind == "bridge" && link.Name.StartsWith(BridgeOptions.DefaultBridgePrefix, StringComparison.Ordinal) && !bridges.Contains(link.Name))
                || (link.Kind == "veth" && link.Name.StartsWith(BridgeOptions.VethPrefix, StringComparison.Ordinal) && !veths.Contains(link.Name));
            if (!orphan) continue;
            DeleteLinkIfPresent(link.Name);
            removed.Add(link.Name);
        }
        return removed;
    }

    private void SetHairpin(string veth)
    {
        if (_host.FindLink(veth) is { } link) _host.SetBridgePort(link.Index, new BridgePortSettings { Hairpin = true });
    }

    private void CreateBridge(NetworkState network, BridgeOptions options)
    {
        _host.CreateLink(new BridgeSpec(options.Name) { Up = true, Mtu = options.MtuValue });
        int index = _host.GetLink(options.Name).Index;
        _bridgeIndex[options.Name] = index;
        foreach (var gateway in Gateways(network)) AddGateway(index, gateway);
        _hostNs.SetSysctl(Sysctl.IPv4Forwarding, "1");
        if (network.EnableIPv6) _hostNs.SetSysctl(Sysctl.IPv6Forwarding, "1");
    }

    private void AddGateway(int index, IPPrefix gateway) =>
        _host.AddAddress(index, gateway, gateway.IsIPv4 ? AddressFlags.None : AddressFlags.NoDad);

    private static IEnumerable<IPPrefix> Gateways(NetworkState network) =>
        network.Subnets.Where(s => s.IpVersion == 4 || network.EnableIPv6)
            .Select(s => new IPPrefix(s.Gateway, s.Subnet.PrefixLength));

    private int BridgeIndex(string name)
    {
        if (_bridgeIndex.TryGetValue(name, out var index)) return index;
        index = _host.GetLink(name).Index;
        _bridgeIndex[name] = index;
        return index;
    }

    private void DeleteBridge(string name)
    {
        _bridgeIndex.TryRemove(name, out _);
        DeleteLinkIfPresent(name);
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
