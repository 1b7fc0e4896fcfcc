using Plexus.Engine.Drivers;
using Plexus.Engine.Model;
using Plexus.Kernel.Namespaces;
using Plexus.Kernel.Rtnl;
using Plexus.Kernel.Types;

namespace Plexus.Engine.Sandboxes;

/// <summary>The real <see cref="ISandboxNetworking"/>: rtnetlink and sysctls inside the sandbox, and on the host for moves.</summary>
public sealed class KernelSandboxNetworking(NetworkNamespace hostNs, RtNetlink host) : ISandboxNetworking
{
    public void Prepare(Sandbox sandbox)
    {
        ArgumentNullException.ThrowIfNull(sandbox);
        var rt = sandbox.Netlink;
        rt.SetUp(rt.GetLink("lo").Index);
        // Interfaces created from now on start without IPv6; a join turns it on for IPv6 networks.
        if (sandbox.State.Owned) sandbox.Namespace.SetSysctl("net.ipv6.conf.default.disable_ipv6", "1");
    }

    /// <summary>
    /// Brings the new interface up with its addresses (lo is up since the sandbox was made), its static routes
    /// and, for the gateway endpoint (<paramref name="defaultRoutes"/>), the default routes: one datagram to the
    /// kernel for all of it. IPv6 is on only where the network has it: sandboxes Plexus creates start with IPv6
    /// off for new interfaces (no stray router solicitations or DAD flooding the bridge, no IPv6 on IPv4-only
    /// networks, as Docker does since CVE-2024-32473), so it is switched on here for IPv6 networks, and switched
    /// off for IPv4-only ones in adopted namespaces, whose defaults are not Plexus's.
    /// </summary>
    public void ConfigureInterface(Sandbox sandbox, EndpointState endpoint, int? knownIndex, bool defaultRoutes)
    {
        ArgumentNullException.ThrowIfNull(sandbox);
        ArgumentNullException.ThrowIfNull(endpoint);
        var rt = sandbox.Netlink;
        var name = endpoint.InterfaceName!;
        bool v6 = endpoint.IPv6 is not null || endpoint.LinkLocalAddresses.Any(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6);
        if (v6) sandbox.Namespace.SetSysctl(Sysctl.DisableIPv6(name), "0");
        else if (!sandbox.State.Owned) sandbox.Namespace.SetSysctl(Sysctl.DisableIPv6(name), "1");
        int index = knownIndex ?? rt.GetLink(name).Index;
        var batch = rt.Batch().SetLink(index, new LinkChanges { Up = true });
        if (endpoint.IPv4 is { } v4) batch.AddAddress(index, v4);
        if (endpoint.IPv6 is { } v6Address) batch.AddAddress(index, v6Address, AddressFlags.NoDad);
        foreach (var extra in endpoint.LinkLocalAddresses)
            batch.AddAddress(index, new IPPrefix(extra, extra.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 16 : 64), AddressFlags.NoDad);
        var joined = endpoint.Joined ?? JoinResult.Nothing;
        foreach (var route in joined.StaticRoutes) batch.ReplaceRoute(StaticRouteOf(route, index));
        if (defaultRoutes && joined.GatewayV4 is { } gw4) batch.ReplaceRoute(Route.DefaultVia(gw4, index));
        if (defaultRoutes && joined.GatewayV6 is { } gw6) batch.ReplaceRoute(Route.DefaultVia(gw6, index));
        batch.Execute();
    }

    /// <summary>A driver's static route through the interface: via its next hop, or straight onto the link.</summary>
    private static Route StaticRouteOf(StaticRoute route, int index) => new()
    {
        Destination = new IPPrefix(route.Destination.Network.BaseAddress, route.Destination.PrefixLength),
        Gateway = route.NextHop,
        OutputIndex = index,
    };

    public void SetDefaultRoutes(Sandbox sandbox, EndpointState endpoint, int? knownIndex = null)
    {
        ArgumentNullException.ThrowIfNull(sandbox);
        ArgumentNullException.ThrowIfNull(endpoint);
        if (endpoint.Joined is not { OffersGateway: true } joined) return;
        var rt = sandbox.Netlink;
        int index = knownIndex ?? rt.GetLink(endpoint.InterfaceName!).Index;
        if (joined.GatewayV4 is { } gw4) rt.ReplaceRoute(Route.DefaultVia(gw4, index));
        if (joined.GatewayV6 is { } gw6) rt.ReplaceRoute(Route.DefaultVia(gw6, index));
    }

    /// <summary>Moves and renames in one request, down (it comes up once addressed).</summary>
    public int? MoveIntoSandbox(Sandbox sandbox, EndpointState endpoint, JoinInfo info)
    {
        ArgumentNullException.ThrowIfNull(sandbox);
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(info);
        if (info.SourceInterface is not { } source) return null;
        var link = host.FindLink(source)
            ?? throw new PlexusException(ErrorKind.Internal, $"network driver returned interface '{source}', which does not exist on the host");
        host.SetLink(link.Index, new LinkChanges { Up = false, Namespace = sandbox.Namespace, Name = endpoint.InterfaceName });
        return sandbox.Netlink.GetLink(endpoint.InterfaceName!).Index;
    }

    /// <summary>The interface goes back to the host under its source name, down (its addresses go with the move), for the driver to remove.</summary>
    public void MoveOutOfSandbox(Sandbox sandbox, EndpointState endpoint)
    {
        ArgumentNullException.ThrowIfNull(sandbox);
        ArgumentNullException.ThrowIfNull(endpoint);
        if (endpoint.Joined?.SourceInterface is not { } source || endpoint.InterfaceName is not { } name || sandbox.IsHostNamespace) return;
        if (sandbox.Netlink.FindLink(name) is not { } link) return;
        sandbox.Netlink.SetLink(link.Index, new LinkChanges { Up = false, Namespace = hostNs, Name = source });
    }
}
