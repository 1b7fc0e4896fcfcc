using System.Buffers.Binary;
using System.Net;
using Plexus.Kernel.Interop;
using Plexus.Kernel.Netlink;
using Plexus.Kernel.Types;

namespace Plexus.Kernel.Rtnl;

public sealed partial class RtNetlink
{
    private const int RtMsgSize = 12;

    public void AddRoute(Route route) => ChangeRoute(route, RtmType.NewRoute, NetlinkFlags.Create | NetlinkFlags.Exclusive, "add");

    /// <summary>Adds the route or replaces the one with the same destination, table and metric.</summary>
    public void ReplaceRoute(Route route) => ChangeRoute(route, RtmType.NewRoute, NetlinkFlags.Create | NetlinkFlags.Replace, "replace");

    /// <summary>
    /// Deletes the route to the destination in the table; protocol, scope and type are wildcards, as in
    /// `ip route del`, so a kernel-installed route can be deleted too. Gateway and device narrow the match.
    /// </summary>
    public void DeleteRoute(Route route) => ChangeRoute(route, RtmType.DelRoute, NetlinkFlags.None, "delete");

    /// <summary>Lists routes of one IP version (or both) in one table (or all when null).</summary>
    public List<Route> ListRoutes(int? ipVersion = null, uint? table = RouteTable.Main)
    {
        byte family = ipVersion switch
        {
            null => AddressFamily.Unspec,
            4 => AddressFamily.Inet,
            6 => AddressFamily.Inet6,
            _ => throw new ArgumentOutOfRangeException(nameof(ipVersion), ipVersion, "IP version must be 4 or 6"),
        };
        var routes = Connection.Dump("list routes", RtmType.GetRoute, family,
            static (w, f) => w.Reserve(RtMsgSize)[0] = f,
            (NetlinkDecode<Route>)TryDecodeRoute);
        return table is null ? routes : routes.FindAll(r => r.Table == table);
    }

    private void ChangeRoute(Route route, ushort type, NetlinkFlags flags, string verb)
    {
        ArgumentNullException.ThrowIfNull(route);
        if (route.Gateway is { } gw && gw.AddressFamily != route.Destination.Address.AddressFamily)
            throw new ArgumentException($"route {route}: gateway {gw} is not of the destination's IP version", nameof(route));
        try
        {
            Connection.Execute($"{verb} route {route}", type, flags, (route, type == RtmType.DelRoute),
                static (w, s) => WriteRoute(w, s.route, s.Item2));
        }
        catch (NetlinkException e)
        {
            throw Explain(e, $"{verb} route {route}", RouteHint(route));
        }
    }

    internal static Func<int, string?> RouteHint(Route route) => errno => errno switch
    {
        Errno.EEXIST => "a route to that destination already exists in that table",
        Errno.ESRCH => "no such route",
        Errno.ENETUNREACH => $"the gateway {route.Gateway} is not reachable through any directly connected network",
        Errno.ENODEV => $"no link with index {route.OutputIndex}",
        _ => NoHint(errno),
    };

    internal static void WriteRoute(NetlinkWriter w, Route r, bool forDelete = false)
    {
        var span = w.Reserve(RtMsgSize);
        span[0] = AddressFamily.Of(r.Destination.Address);
        span[1] = (byte)r.Destination.PrefixLength;
        span[4] = r.Table < 256 ? (byte)r.Table : (byte)RouteTable.Compat;
        span[5] = forDelete ? (byte)RouteProtocol.Unspec : (byte)r.Protocol;
        span[6] = forDelete ? (byte)RouteScope.Nowhere : (byte)r.EffectiveScope;
        span[7] = forDelete ? (byte)RouteType.Unspec : (byte)r.Type;
        if (!r.IsDefault) w.Address(Rta.Dst, IPPrefix.Mask(r.Destination.Address, r.Destination.PrefixLength));
        if (r.Gateway is { } gateway) w.Address(Rta.Gateway, gateway);
        if (r.OutputIndex is { } oif) w.UInt32(Rta.Oif, (uint)oif);
        if (r.Metric is { } metric) w.UInt32(Rta.Priority, metric);
        if (r.PreferredSource is { } src) w.Address(Rta.PrefSrc, src);
        if (r.Table >= 256) w.UInt32(Rta.Table, r.Table);
    }

    internal static bool TryDecodeRoute(NetlinkMessage message, out Route route)
    {
        route = null!;
        if (message.Header.Type != RtmType.NewRoute) return false;
        var p = message.Payload;
        if (p.Length < RtMsgSize)
            throw new NetlinkParseException($"a route message of {p.Length} bytes is shorter than struct rtmsg");
        byte family = p[0];
        if (family is not (AddressFamily.Inet or AddressFamily.Inet6)) return false;
        int dstLength = p[1];
        uint table = p[4];
        var protocol = (RouteProtocol)p[5];
        var scope = (RouteScope)p[6];
        var type = (RouteType)p[7];
        IPAddress? dst = null, gateway = null, prefsrc = null;
        int? oif = null;
        uint? metric = null;
        foreach (var a in message.Attributes(RtMsgSize))
        {
            switch (a.Type)
            {
                case Rta.Dst: dst = a.AsAddress(); break;
                case Rta.Gateway: gateway = a.AsAddress(); break;
                case Rta.Oif: oif = a.AsInt32(); break;
                case Rta.Priority: metric = a.AsUInt32(); break;
                case Rta.PrefSrc: prefsrc = a.AsAddress(); break;
                case Rta.Table: table = a.AsUInt32(); break;
            }
        }
        dst ??= family == AddressFamily.Inet ? IPAddress.Any : IPAddress.IPv6Any;
        int max = family == AddressFamily.Inet ? 32 : 128;
        if (dstLength > max || (dst.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork) != (family == AddressFamily.Inet))
            throw new NetlinkParseException($"route to {dst}/{dstLength} does not match its address family {family}");
        route = new Route
        {
            Destination = new IPPrefix(dst, dstLength),
            Gateway = gateway,
            OutputIndex = oif,
            Table = table,
            Protocol = protocol,
            Scope = scope,
            Type = type,
            Metric = metric,
            PreferredSource = prefsrc,
        };
        return true;
    }
}
