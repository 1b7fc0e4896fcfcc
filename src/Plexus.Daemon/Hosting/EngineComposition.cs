using Plexus.Api;
using System.Net;
using Plexus.Daemon.Config;
using Plexus.Engine.Cluster;
using Plexus.Engine.Controller;
using Plexus.Engine.Drivers;
using Plexus.Engine.Drivers.Bridge;
using Plexus.Engine.Drivers.Bridge.Firewall;
using Plexus.Engine.Drivers.Host;
using Plexus.Engine.Drivers.Macvlan;
using Plexus.Engine.Drivers.Null;
using Plexus.Engine.Drivers.Overlay;
using Plexus.Engine.Ipam;
using Plexus.Engine.Model;
using Plexus.Engine.Store;
using Plexus.Kernel.Firewall;
using Plexus.Kernel.Namespaces;
using Plexus.Kernel.Rtnl;

namespace Plexus.Daemon.Hosting;

/// <summary>Builds the engine from the daemon's settings, restores it, and makes the predefined networks.</summary>
internal sealed class EngineComposition : IDisposable
{
    public const string DefaultBridgeName = "plexus0";

    private EngineComposition(NetworkController controller, ILocalStore store, NetworkNamespace hostNs, RtNetlink host, IFirewall firewall, IReadOnlyList<string> log,
        Plugin.PluginIpam pluginIpam, GlobalIpam globalIpam)
    {
        GlobalIpam = globalIpam;
        PluginIpam = pluginIpam;
        Firewall = firewall;
        Controller = controller;
        Store = store;
        HostNs = hostNs;
        Host = host;
        RestoreLog = log;
    }

    public NetworkController Controller { get; }
    public ILocalStore Store { get; }
    public NetworkNamespace HostNs { get; }
    public RtNetlink Host { get; }
    public IReadOnlyList<string> RestoreLog { get; }
    public IFirewall Firewall { get; }

    /// <summary>The global store and this host's membership when --cluster-store is given; null on a single host.</summary>
    public ClusterRuntime? Cluster { get; private set; }

    /// <summary>Joins the cluster when the settings name one (registration goes on in the background: etcd may be away).</summary>
    public void StartCluster(DaemonSettings settings, ILogger logger)
    {
        if (settings.Cluster is not { } cluster) return;
        Cluster = ClusterRuntime.Start(cluster, settings.DaemonId, logger);
        Controller.AttachCluster(Cluster.Store, Cluster.Membership, GlobalIpam);
        if (settings.FirewallBackend == "none") return;
        Vteps = VtepFirewall.TryStart(HostNs, OverlayDriver.VxlanPort, Cluster.Membership, logger);
    }

    /// <summary>VXLAN accepted only from the cluster's registered hosts (null on a single host or without a firewall).</summary>
    public VtepFirewall? Vteps { get; private set; }

    /// <summary>IPAM with global networks' addresses claimed in the cluster store (local networks pass through).</summary>
    public GlobalIpam GlobalIpam { get; }

    /// <summary>Docker's pools (`--ipam-driver plexus`), in the default IPAM driver's address spaces.</summary>
    public Plugin.PluginIpam PluginIpam { get; }

    public static EngineComposition Open(DaemonSettings settings)
    {
        var hostNs = NetworkNamespace.OpenProcess();
        // Several sockets: attaches to one network run side by side, and one socket would serialise their requests.
        var host = RtNetlink.Open(sockets: 8);
        var store = new SqliteStore(settings.DataRoot);
        var options = new ControllerOptions
        {
            DataRoot = settings.DataRoot,
            ExecRoot = settings.ExecRoot,
            DefaultDns = settings.Dns,
            BridgeDefaults = new BridgeOptions.Defaults(settings.Icc, settings.IPMasquerade, settings.Mtu),
            HiddenPaths = Engine.Sandboxes.HiddenPaths.For(settings.SocketPath, settings.DataRoot, settings.ExecRoot),
        };
        var pools = settings.DefaultAddressPools.Count > 0
            ? settings.DefaultAddressPools.Select(p => new AddressPoolSpec(p.Base, p.Size)).ToList()
            : null;
        var ipam = new GlobalIpam(IpamService.Create(pools));
        var firewall = BridgeFirewallPolicy.Create(settings.FirewallBackend, hostNs);
        var parents = new ParentLinks(host); // macvlan and ipvlan networks can share a parent
        // One firewall for bridge and overlay networks: an overlay bridge is isolated, masqueraded and made internal as a
        // bridge network is. The overlay driver comes after the bridge driver: see OverlayDriver's remarks.
        var bridgeFirewall = new KernelBridgeFirewall(firewall);
        INetworkDriver[] drivers = [new BridgeDriver(hostNs, host, bridgeFirewall, options.BridgeDefaults), new NullDriver(), new HostDriver(),
            new MacvlanDriver(host, parents), new IpvlanDriver(host, parents), new OverlayDriver(host, settings.Cluster?.Vtep, bridgeFirewall, hostNs)];
        var controller = new NetworkController(options, store, ipam, drivers, hostNs, host);
        var log = controller.Restore();
        // Docker's pools back in the default driver before anything else can take their subnets.
        var pluginIpam = Plugin.PluginIpam.Open(ipam.Drivers.Get(IpamRegistry.DefaultDriver), settings.DataRoot, controller.HostRoutedPrefixes, out var ipamLog);
        var composition = new EngineComposition(controller, store, hostNs, host, firewall, [.. log, .. ipamLog], pluginIpam, ipam);
        composition.EnsurePredefinedNetworks(settings);
        return composition;
    }

    private void EnsurePredefinedNetworks(DaemonSettings settings)
    {
        var existing = Controller.Networks.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        if (!existing.Contains("none")) Controller.CreateNetwork(new NetworkCreateRequest { Name = "none", Driver = "null" });
        if (!existing.Contains("host")) Controller.CreateNetwork(new NetworkCreateRequest { Name = "host", Driver = "host" });
        if (settings.DefaultBridge && !existing.Contains("bridge"))
        {
            IReadOnlyList<IpamRequest> configs = [];
            if (settings.Bip is { } bip)
            {
                var prefix = Kernel.Types.IPPrefix.Parse(bip);
                configs = [new IpamRequest { Subnet = prefix.Network, Gateway = prefix.Address }];
            }
            Controller.CreateNetwork(new NetworkCreateRequest
            {
                Name = "bridge",
                Options = new Dictionary<string, string>
                {
                    [BridgeOptions.BridgeName] = DefaultBridgeName,
                    ["com.docker.network.bridge.default_bridge"] = "true",
                },
                IpamConfigs = configs,
            });
        }
    }

    public void Dispose()
    {
        Controller.DetachCluster();
        Vteps?.Dispose();
        Cluster?.Dispose();
        Controller.Dispose();
        Firewall.Dispose();
        Store.Dispose();
        Host.Dispose();
        HostNs.Dispose();
    }
}
