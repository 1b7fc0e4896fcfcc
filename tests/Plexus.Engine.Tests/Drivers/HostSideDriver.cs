using System.Net;
using Plexus.Engine.Drivers;
using Plexus.Engine.Model;
using Plexus.Engine.Sandboxes;
using Plexus.Kernel;
using Plexus.Kernel.Rtnl;
using Plexus.Kernel.Rtnl.LinkKinds;
using Plexus.Kernel.Types;

namespace Plexus.Engine.Tests.Drivers;

/// <summary>
/// A driver that works as a Docker remote driver must: it cannot reach the sandbox, so its join makes the
/// endpoint's interface (one end of a veth pair whose other end stays on the host, where a real driver would
/// plug it in; this kernel has no dummy links) in the host's namespace and hands its name back (<see cref="JoinInfo.SourceInterface"/>)
/// for the controller to move in and rename; it offers its subnet's gateway and a static route, and asks for no
/// gateway service. <see cref="MissingInterface"/> makes it name an interface that does not exist.
/// </summary>
internal sealed class HostSideDriver(RtNetlink host) : INetworkDriver
{
    public const string DriverName = "hostside";

    /// <summary>The static route each endpoint gets, via its network's gateway.</summary>
    public static readonly IPPrefix Routed = IPPrefix.Parse("198.51.100.0/24");

    public bool MissingInterface { get; set; }

    public string Name => DriverName;

    public DriverCapabilities Capabilities { get; } = new() { UsesIpam = true };

    public static string SourceNameOf(EndpointState endpoint) => "hs" + endpoint.Id[..10];

    public static string PeerNameOf(EndpointState endpoint) => "hp" + endpoint.Id[..10];

    public void ValidateNetwork(NetworkState network) { }

    public IReadOnlyDictionary<string, string> CreateNetwork(NetworkState network) => new Dictionary<string, string>();

    public void DeleteNetwork(NetworkState network) { }

    public void RestoreNetwork(NetworkState network) { }

    public EndpointState CreateEndpoint(NetworkState network, EndpointState endpoint) => endpoint;

    public JoinInfo Join(NetworkState network, EndpointState endpoint, Sandbox sandbox)
    {
        var gateway = network.Subnets.First(s => s.IpVersion == 4).Gateway;
        if (MissingInterface) return new JoinInfo { SourceInterface = "hs-missing", GatewayV4 = gateway };
        host.CreateLink(new VethSpec(SourceNameOf(endpoint), PeerNameOf(endpoint)));
        return new JoinInfo
        {
            SourceInterface = SourceNameOf(endpoint),
            GatewayV4 = gateway,
            StaticRoutes = [new StaticRoute(Routed, gateway)],
            DisableGatewayService = true,
        };
    }

    /// <summary>The controller has moved the interface back under its source name: the driver removes the pair.</summary>
    public void Leave(NetworkState network, EndpointState endpoint, Sandbox sandbox)
    {
        try
        {
            host.DeleteLink(SourceNameOf(endpoint));
        }
        catch (KernelException e) when (e.ErrorNumber == Kernel.Interop.Errno.ENODEV)
        {
        }
    }

    public bool IsJoined(NetworkState network, EndpointState endpoint, Sandbox sandbox) =>
        endpoint.InterfaceName is { } name && sandbox.Netlink.FindLink(name) is not null;

    public void Reconcile(IReadOnlyCollection<NetworkState> networks, IReadOnlyCollection<EndpointState> joinedEndpoints) { }

    public IReadOnlyList<string> CollectGarbage(IReadOnlyCollection<NetworkState> networks, IReadOnlyCollection<EndpointState> joinedEndpoints) => [];
}
