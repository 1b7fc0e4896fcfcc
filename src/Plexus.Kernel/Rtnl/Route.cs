using System.Net;
using Plexus.Kernel.Types;

namespace Plexus.Kernel.Rtnl;

/// <summary>A route (RTM_NEWROUTE). A destination of prefix length 0 is the default route.</summary>
public sealed record Route
{
    public required IPPrefix Destination { get; init; }
    public IPAddress? Gateway { get; init; }
    public int? OutputIndex { get; init; }
    public uint Table { get; init; } = RouteTable.Main;
    public RouteProtocol Protocol { get; init; } = RouteProtocol.Boot;

    /// <summary>Null picks what `ip route` would: link scope for a direct unicast route, else universe.</summary>
    public RouteScope? Scope { get; init; }

    public RouteType Type { get; init; } = RouteType.Unicast;
    public uint? Metric { get; init; }
    public IPAddress? PreferredSource { get; init; }

    public bool IsDefault => Destination.PrefixLength == 0;

    public int IpVersion => Destination.IsIPv4 ? 4 : 6;

    public RouteScope EffectiveScope =>
        Scope ?? (Gateway is null && Type == RouteType.Unicast && !IsDefault ? RouteScope.Link : RouteScope.Universe);

    /// <summary>The default route through <paramref name="gateway"/>, optionally pinned to a device.</summary>
    public static Route DefaultVia(IPAddress gateway, int? outputIndex = null)
    {
        ArgumentNullException.ThrowIfNull(gateway);
        var any = gateway.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any;
        return new Route { Destination = new IPPrefix(any, 0), Gateway = gateway, OutputIndex = outputIndex };
    }

    public override string ToString()
    {
        var s = IsDefault ? "default" : Destination.Network.ToString();
        if (Gateway is not null) s += $" via {Gateway}";
        if (OutputIndex is not null) s += $" dev {OutputIndex}";
        if (Table != RouteTable.Main) s += $" table {Table}";
        return s;
    }
}
