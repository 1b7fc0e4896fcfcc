using Plexus.Kernel.Netlink;
using Plexus.Kernel.Types;

namespace Plexus.Kernel.Rtnl;

/// <summary>
/// Several rtnetlink requests sent to the kernel in one datagram (<see cref="RtNetlink.Batch"/>): the sandbox
/// side of an attach (interface up, its addresses, the default route) is one system call and one wake-up
/// instead of one per request. The kernel runs them in order, each on its own, so a failed request does not
/// stop the ones after it; <see cref="Execute"/> throws the first failure, in the words the single call uses.
/// A batch is not thread-safe and runs once.
/// </summary>
public sealed class RtnlBatch
{
    private readonly RtNetlink _owner;
    private readonly List<NetlinkRequest> _requests = [];
    /// <summary>
    /// Per request, what an error names: the operation, and a detail (the changes asked for) rendered only when the
    /// kernel refuses, not for every request of every attach.
    /// </summary>
    private readonly List<(string Operation, object? Detail, Func<int, string?> Hint)> _explain = [];

    internal RtnlBatch(RtNetlink owner) => _owner = owner;

    public int Count => _requests.Count;

    /// <summary>As <see cref="RtNetlink.SetLink"/>.</summary>
    public RtnlBatch SetLink(int index, LinkChanges changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        return Add($"change link {index}", RtmType.NewLink, NetlinkFlags.None,
            w => LinkRequests.WriteChanges(w, index, changes), RtNetlink.SetLinkHint(index, changes), detail: changes);
    }

    /// <summary>
    /// Sets how the link gets IPv6 addresses (<see cref="LinkChanges.IPv6AddressGeneration"/>); where the kernel has
    /// no IPv6 at all (EAFNOSUPPORT) there is nothing to set, and that is no error.
    /// </summary>
    public RtnlBatch SetIPv6AddressGeneration(int index, IPv6AddressGeneration mode)
    {
        var changes = new LinkChanges { IPv6AddressGeneration = mode };
        return Add($"set IPv6 address generation of link {index} to {mode}", RtmType.NewLink, NetlinkFlags.None,
            w => LinkRequests.WriteChanges(w, index, changes), RtNetlink.SetLinkHint(index, changes), Interop.Errno.EAFNOSUPPORT);
    }

    /// <summary>As <see cref="RtNetlink.AddAddress"/>.</summary>
    public RtnlBatch AddAddress(int index, IPPrefix address, AddressFlags flags = AddressFlags.None) =>
        Add($"add address {address} to link {index}", RtmType.NewAddr, NetlinkFlags.Create | NetlinkFlags.Exclusive,
            w => RtNetlink.WriteAddress(w, index, address, flags, withBroadcast: true), RtNetlink.AddAddressHint(index));

    /// <summary>As <see cref="RtNetlink.DeleteAddress"/>; with <paramref name="ifPresent"/> a missing address is no error.</summary>
    public RtnlBatch DeleteAddress(int index, IPPrefix address, bool ifPresent = false) =>
        Add($"delete address {address} from link {index}", RtmType.DelAddr, NetlinkFlags.None,
            w => RtNetlink.WriteAddress(w, index, address, AddressFlags.None, withBroadcast: false), RtNetlink.DeleteAddressHint,
            ifPresent ? Interop.Errno.EADDRNOTAVAIL : 0);

    /// <summary>As <see cref="RtNetlink.SetBridgePort"/>.</summary>
    public RtnlBatch SetBridgePort(int index, BridgePortSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return Add($"set bridge port {index}", RtmType.SetLink, NetlinkFlags.None,
            w => LinkRequests.WriteBridgePort(w, index, settings), RtNetlink.BridgePortHint);
    }

    /// <summary>As <see cref="RtNetlink.ReplaceRoute"/>.</summary>
    public RtnlBatch ReplaceRoute(Route route)
    {
        ArgumentNullException.ThrowIfNull(route);
        if (route.Gateway is { } gw && gw.AddressFamily != route.Destination.Address.AddressFamily)
            throw new ArgumentException($"route {route}: gateway {gw} is not of the destination's IP version", nameof(route));
        return Add($"replace route {route}", RtmType.NewRoute, NetlinkFlags.Create | NetlinkFlags.Replace,
            w => RtNetlink.WriteRoute(w, route), RtNetlink.RouteHint(route));
    }

    /// <summary>Sends every request in one datagram and waits for all the kernel's answers.</summary>
    public void Execute()
    {
        int failed = _owner.Connection.ExecuteBatch(_requests, out var error);
        if (failed < 0) return;
        var (operation, detail, hint) = _explain[failed];
        throw RtNetlink.Explain(error!, detail is null ? operation : $"{operation} ({detail})", hint);
    }

    private RtnlBatch Add(string operation, ushort type, NetlinkFlags flags, Action<NetlinkWriter> build, Func<int, string?> hint,
        int tolerated = 0, object? detail = null)
    {
        _requests.Add(new NetlinkRequest(operation, type, flags, build, tolerated));
        _explain.Add((operation, detail, hint));
        return this;
    }
}
