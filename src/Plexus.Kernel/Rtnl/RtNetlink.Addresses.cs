using System.Buffers.Binary;
using System.Net;
using Plexus.Kernel.Interop;
using Plexus.Kernel.Netlink;
using Plexus.Kernel.Types;

namespace Plexus.Kernel.Rtnl;

public sealed partial class RtNetlink
{
    private const int IfAddrSize = 8;

    /// <summary>Adds an address; IPv4 addresses get the subnet's broadcast address as `ip addr add ... brd +` does.</summary>
    public void AddAddress(int index, IPPrefix address, AddressFlags flags = AddressFlags.None)
    {
        try
        {
            Connection.Execute($"add address {address}", RtmType.NewAddr, NetlinkFlags.Create | NetlinkFlags.Exclusive,
                (index, address, flags), static (w, s) => WriteAddress(w, s.index, s.address, s.flags, withBroadcast: true));
        }
        catch (NetlinkException e)
        {
            throw Explain(e, $"add address {address} to {Describe(index)}", AddAddressHint(index));
        }
    }

    internal static Func<int, string?> AddAddressHint(int index) => errno => errno switch
    {
        Errno.EEXIST => "the address is already present",
        Errno.ENODEV => $"no link with index {index}",
        _ => NoHint(errno),
    };

    internal static string? DeleteAddressHint(int errno) => errno switch
    {
        Errno.EADDRNOTAVAIL => "the link has no such address",
        _ => NoHint(errno),
    };

    public void DeleteAddress(int index, IPPrefix address)
    {
        try
        {
            Connection.Execute($"delete address {address}", RtmType.DelAddr, NetlinkFlags.None,
                (index, address), static (w, s) => WriteAddress(w, s.index, s.address, AddressFlags.None, withBroadcast: false));
        }
        catch (NetlinkException e)
        {
            throw Explain(e, $"delete address {address} from {Describe(index)}", DeleteAddressHint);
        }
    }

    /// <summary>Lists addresses, optionally of one link and one family (4 or 6).</summary>
    public List<InterfaceAddress> ListAddresses(int? index = null, int? ipVersion = null)
    {
        byte family = ipVersion switch
        {
            null => AddressFamily.Unspec,
            4 => AddressFamily.Inet,
            6 => AddressFamily.Inet6,
            _ => throw new ArgumentOutOfRangeException(nameof(ipVersion), ipVersion, "IP version must be 4 or 6"),
        };
        var all = Connection.Dump("list addresses", RtmType.GetAddr, (family, index ?? 0),
            static (w, s) =>
            {
                var span = w.Reserve(IfAddrSize);
                span[0] = s.family;
                BinaryPrimitives.WriteInt32LittleEndian(span[4..], s.Item2);
            },
            (NetlinkDecode<InterfaceAddress>)TryDecodeAddress);
        return index is null ? all : all.FindAll(a => a.Index == index);
    }

    internal static void WriteAddress(NetlinkWriter w, int index, IPPrefix address, AddressFlags flags, bool withBroadcast)
    {
        var span = w.Reserve(IfAddrSize);
        span[0] = AddressFamily.Of(address.Address);
        span[1] = (byte)address.PrefixLength;
        span[2] = (byte)((uint)flags & 0xFF);
        // Loopback addresses are host-scoped, as iproute2 makes them.
        span[3] = (byte)(IPAddress.IsLoopback(address.Address) ? RouteScope.Host : RouteScope.Universe);
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], index);
        w.Address(Ifa.Local, address.Address);
        w.Address(Ifa.Address, address.Address);
        if (withBroadcast && address.IsIPv4 && address.PrefixLength < 31)
            w.Address(Ifa.Broadcast, Broadcast(address));
        if ((uint)flags > 0xFF) w.UInt32(Ifa.Flags, (uint)flags);
    }

    internal static IPAddress Broadcast(IPPrefix prefix)
    {
        Span<byte> b = stackalloc byte[4];
        prefix.Address.TryWriteBytes(b, out _);
        uint v = BinaryPrimitives.ReadUInt32BigEndian(b);
        uint host = prefix.PrefixLength == 0 ? uint.MaxValue : (1u << (32 - prefix.PrefixLength)) - 1;
        BinaryPrimitives.WriteUInt32BigEndian(b, v | host);
        return new IPAddress(b);
    }

    internal static bool TryDecodeAddress(NetlinkMessage message, out InterfaceAddress address)
    {
        address = null!;
        if (message.Header.Type != RtmType.NewAddr) return false;
        var p = message.Payload;
        if (p.Length < IfAddrSize)
            throw new NetlinkParseException($"an address message of {p.Length} bytes is shorter than struct ifaddrmsg");
        int prefixLength = p[1];
        var flags = (AddressFlags)p[2];
        var scope = (RouteScope)p[3];
        int index = BinaryPrimitives.ReadInt32LittleEndian(p[4..]);
        IPAddress? local = null, addr = null;
        string? label = null;
        foreach (var a in message.Attributes(IfAddrSize))
        {
            switch (a.Type)
            {
                case Ifa.Local: local = a.AsAddress(); break;
                case Ifa.Address: addr = a.AsAddress(); break;
                case Ifa.Label: label = a.AsString(); break;
                case Ifa.Flags: flags = (AddressFlags)a.AsUInt32(); break;
            }
        }
        // For point-to-point links IFA_ADDRESS is the peer; IFA_LOCAL is always the interface's own.
        var own = local ?? addr ?? throw new NetlinkParseException($"address message for link {index} carries no address");
        int max = own.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128;
        if (prefixLength > max)
            throw new NetlinkParseException($"address {own} has prefix length {prefixLength}, above {max}");
        address = new InterfaceAddress(index, new IPPrefix(own, prefixLength), flags, scope, label);
        return true;
    }
}
