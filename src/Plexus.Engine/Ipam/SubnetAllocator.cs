using System.Net;
using System.Net.Sockets;
using Plexus.Engine.Model;

namespace Plexus.Engine.Ipam;

/// <summary>
/// The addresses of one pool of the default IPAM driver: which are in use, which are reserved (network
/// address, IPv4 broadcast, gateway, auxiliary addresses), and where the next dynamic address comes from
/// (the sub-pool, --ip-range, when set, else the whole subnet). Not thread-safe: the pool's lock guards it.
/// </summary>
/// <remarks>
/// A static request may name any free address of the subnet, also outside --ip-range: Docker allows it,
/// and people rely on it to keep fixed addresses out of the way of dynamic ones.
/// </remarks>
internal sealed class SubnetAllocator
{
    private readonly string _owner;
    private readonly AddressFamily _family;
    private readonly UInt128 _base;
    private readonly AddressBitmap _used;
    private readonly UInt128 _rangeFirst;
    private readonly UInt128 _rangeLast;

    /// <summary>Offsets never handed out because they are not host addresses: network, broadcast, anycast.</summary>
    private readonly Dictionary<UInt128, string> _unusable = [];

    /// <summary>Offsets the network itself holds: the gateway and the auxiliary addresses.</summary>
    private readonly Dictionary<UInt128, string> _reserved = [];

    /// <summary>The offset handed out last by a dynamic allocation, for serial allocation.</summary>
    private UInt128? _lastHandedOut;

    /// <summary>Validates the sub-pool; <paramref name="owner"/> ("network web") starts every message.</summary>
    public SubnetAllocator(string owner, IPNetwork subnet, IPNetwork? range)
    {
        _owner = owner;
        Subnet = subnet;
        IPRange = range;
        _family = subnet.BaseAddress.AddressFamily;
        _base = IPMath.ToUInt128(subnet.BaseAddress);
        CheckSize(owner, subnet);
        int hostBits = IPMath.HostBits(subnet);
        _used = new AddressBitmap(hostBits);

        // Docker reserves the network address in both families (for IPv6 it is the subnet-router anycast
        // address, RFC 4291 2.6.1) and the broadcast address in IPv4 only.
        Reserve(_unusable, UInt128.Zero, IpVersion == 4 ? "the network address" : "the subnet-router anycast address");
        if (IpVersion == 4)
            Reserve(_unusable, _used.Last, "the broadcast address");

        if (range is { } r)
        {
            if (r.BaseAddress.AddressFamily != _family)
                throw Invalid($"IP range {r} is {VersionName(r.BaseAddress)} but subnet {subnet} is {IPMath.VersionName(IpVersion)}");
            if (!IPMath.Contains(subnet, r))
                throw Invalid($"IP range {r} is outside subnet {subnet}");
            var (first, last) = IPMath.Bounds(r);
            (_rangeFirst, _rangeLast) = (first - _base, last - _base);
        }
        else
        {
            (_rangeFirst, _rangeLast) = (UInt128.Zero, _used.Last);
        }
    }

    public IPNetwork Subnet { get; }

    public IPNetwork? IPRange { get; }

    public int IpVersion => IPMath.Version(Subnet);

    public int PrefixLength => Subnet.PrefixLength;

    internal long Probes => _used.Probes;

    /// <summary>
    /// Holds the gateway: <paramref name="requested"/>, or the first free address of the whole subnet (not
    /// only of --ip-range: the bridge's address belongs to the subnet), which passes over auxiliary addresses
    /// reserved before it. A gateway that is already held is accepted again (a replay after a restart).
    /// </summary>
    public IPAddress ReserveGateway(IPAddress? requested)
    {
        UInt128 offset;
        if (requested is not null)
        {
            var gateway = IPMath.Normalize(requested);
            offset = CheckReservable($"gateway {gateway}", gateway);
            if (_reserved.TryGetValue(offset, out var holder) && !holder.StartsWith("the gateway", StringComparison.Ordinal))
                throw PlexusException.Conflict($"{_owner}: gateway {gateway} is already {holder}");
        }
        else if (!_used.TryFindClear(UInt128.Zero, _used.Last, out offset))
        {
            throw PlexusException.Conflict($"{_owner}: no free address left in {Subnet} for its gateway");
        }
        Reserve(_reserved, offset, $"the gateway of {Subnet}");
        return ToAddress(offset);
    }

    /// <summary>Holds an auxiliary address (--aux-address NAME=IP), which is never handed out to an endpoint.</summary>
    public IPAddress ReserveAuxiliary(string name, IPAddress requested, bool replay)
    {
        var address = IPMath.Normalize(requested);
        UInt128 offset = CheckReservable($"auxiliary address {name}={address}", address);
        if (_reserved.TryGetValue(offset, out var holder))
        {
            if (replay) return address;
            throw Invalid($"auxiliary address {name}={address} is already {holder}");
        }
        if (_used.IsSet(offset))
            throw PlexusException.Conflict($"{_owner}: auxiliary address {name}={address} is already in use");
        Reserve(_reserved, offset, $"auxiliary address {name}");
        return address;
    }

    /// <summary>
    /// The smallest subnet that leaves room for a gateway and one endpoint besides the addresses that
    /// are never handed out: /30 for IPv4 (network and broadcast), /126 for IPv6 (anycast).
    /// </summary>
    public static void CheckSize(string owner, IPNetwork subnet)
    {
        int version = IPMath.Version(subnet);
        if (subnet.PrefixLength == 0)
            throw PlexusException.Invalid($"{owner}: subnet {subnet} covers the whole {IPMath.VersionName(version)} address space; choose a smaller one");
        if (IPMath.HostBits(subnet) < 2)
            throw PlexusException.Invalid($"{owner}: subnet {subnet} is too small: it needs room for a gateway and at least one endpoint (use /{(version == 4 ? 30 : 126)} or larger)");
    }

    /// <summary>The gateway Docker picks when none is given: the first address after the network address.</summary>
    public static IPAddress FirstHost(IPNetwork subnet) =>
        IPMath.ToAddress(IPMath.ToUInt128(subnet.BaseAddress) + UInt128.One, subnet.BaseAddress.AddressFamily);

    public bool Contains(IPAddress address) => Subnet.Contains(IPMath.Normalize(address));

    /// <summary>
    /// The first free address of the pool, or with <paramref name="serial"/> the first free one after the
    /// last handed out, wrapping around to the start of the pool. Null when the pool is full.
    /// </summary>
    public IPAddress? TryAllocateNext(bool serial)
    {
        UInt128 offset;
        bool found;
        if (serial && _lastHandedOut is { } last && last < _rangeLast)
        {
            found = _used.TryFindClear(last + UInt128.One, _rangeLast, out offset)
                || _used.TryFindClear(_rangeFirst, last, out offset);
        }
        else
        {
            found = _used.TryFindClear(_rangeFirst, _rangeLast, out offset);
        }
        if (!found) return null;
        _used.Set(offset);
        _lastHandedOut = offset;
        return ToAddress(offset);
    }

    /// <summary>Takes a specific address; throws when it is not a free host address of the subnet.</summary>
    public IPAddress AllocateStatic(IPAddress address)
    {
        address = IPMath.Normalize(address);
        UInt128 offset = OffsetOf(address)
            ?? throw Invalid($"address {address} is outside subnet {Subnet}");
        if (_unusable.TryGetValue(offset, out var what))
            throw Invalid($"address {address} is {what} of {Subnet} and cannot be assigned");
        if (_reserved.TryGetValue(offset, out var holder))
            throw PlexusException.Conflict($"{_owner}: address {address} is already in use as {holder}");
        if (!_used.Set(offset))
            throw PlexusException.Conflict($"{_owner}: address {address} is already in use");
        return address;
    }

    /// <summary>
    /// Marks an address an endpoint held before a restart. Repeats and the network's own reserved
    /// addresses are accepted as they are: the store may list them, and they are in use either way.
    /// </summary>
    public void Restore(IPAddress address)
    {
        UInt128 offset = CheckRestorable(address);
        if (_reserved.ContainsKey(offset)) return;
        _used.Set(offset);
        // Serial allocation goes on after the highest address in use, so an address released just
        // before the restart is not the first one handed out again.
        if (offset >= _rangeFirst && offset <= _rangeLast && (_lastHandedOut is not { } last || offset > last))
            _lastHandedOut = offset;
    }

    /// <summary>Throws when <paramref name="address"/> could not have been handed out from this subnet.</summary>
    public UInt128 CheckRestorable(IPAddress address)
    {
        address = IPMath.Normalize(address);
        UInt128 offset = OffsetOf(address)
            ?? throw Invalid($"restored address {address} is outside subnet {Subnet}");
        if (_unusable.TryGetValue(offset, out var what))
            throw Invalid($"restored address {address} is {what} of {Subnet}");
        return offset;
    }

    /// <summary>
    /// Frees an address an endpoint held. The gateway, the auxiliary addresses and addresses not in use
    /// are left as they are: they belong to the network, or there is nothing to free.
    /// </summary>
    public bool Release(IPAddress address)
    {
        if (OffsetOf(IPMath.Normalize(address)) is not { } offset) return false;
        if (_unusable.ContainsKey(offset) || _reserved.ContainsKey(offset)) return false;
        return _used.Clear(offset);
    }

    /// <summary>True for addresses held by endpoints and for the gateway and auxiliary addresses.</summary>
    public bool IsAllocated(IPAddress address)
    {
        if (OffsetOf(IPMath.Normalize(address)) is not { } offset) return false;
        return !_unusable.ContainsKey(offset) && _used.IsSet(offset);
    }

    private UInt128 CheckReservable(string what, IPAddress address)
    {
        if (address.AddressFamily != _family)
            throw Invalid($"{what} is {VersionName(address)} but subnet {Subnet} is {IPMath.VersionName(IpVersion)}");
        UInt128 offset = OffsetOf(address) ?? throw Invalid($"{what} is outside subnet {Subnet}");
        if (_unusable.TryGetValue(offset, out var reason))
            throw Invalid($"{what} is {reason} of {Subnet}");
        return offset;
    }

    private void Reserve(Dictionary<UInt128, string> into, UInt128 offset, string reason)
    {
        into[offset] = reason;
        _used.Set(offset);
    }

    private UInt128? OffsetOf(IPAddress address)
    {
        if (address.AddressFamily != _family || !Subnet.Contains(address)) return null;
        return IPMath.ToUInt128(address) - _base;
    }

    private IPAddress ToAddress(UInt128 offset) => IPMath.ToAddress(_base + offset, _family);

    private static string VersionName(IPAddress address) => IPMath.VersionName(IPMath.Version(address));

    private PlexusException Invalid(string message) => PlexusException.Invalid($"{_owner}: {message}");
}
