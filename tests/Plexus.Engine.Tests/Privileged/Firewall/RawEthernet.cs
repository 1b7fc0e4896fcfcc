using System.Buffers.Binary;
using System.Net;
using System.Runtime.InteropServices;
using Plexus.Engine.Drivers.Bridge.Firewall;
using Plexus.Kernel.Namespaces;
using Plexus.Kernel.Types;

namespace Plexus.Engine.Tests.Privileged.Firewall;

/// <summary>
/// Hand-made Ethernet frames, sent and received on an interface of a test namespace through AF_PACKET sockets: what a
/// hostile sandbox can always do with CAP_NET_RAW (forged ARP, neighbour advertisements, other protocols, VLAN tags).
/// </summary>
internal static partial class RawEthernet
{
    public const ushort EtherTypeArp = 0x0806;
    public const ushort EtherTypeIPv6 = 0x86dd;
    public const ushort EtherTypeVlan = 0x8100;

    /// <summary>IEEE's "local experimental" EtherType: a protocol that is neither IP nor ARP.</summary>
    public const ushort EtherTypeExperimental = 0x88b5;

    private const int AF_PACKET = 17;
    private const int SOCK_RAW = 3;
    private const int SOL_SOCKET = 1;
    private const int SO_RCVTIMEO = 20;
    private const int ETH_P_ALL = 0x0003;
    private const byte PACKET_OUTGOING = 4;

    [StructLayout(LayoutKind.Sequential)]
    private struct SockAddrLl
    {
        public ushort Family;
        public ushort Protocol;
        public int IfIndex;
        public ushort HaType;
        public byte PktType;
        public byte HaLen;
        public ulong Addr;
    }

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static partial int Socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "bind", SetLastError = true)]
    private static unsafe partial int Bind(int fd, SockAddrLl* address, int length);

    [LibraryImport("libc", EntryPoint = "sendto", SetLastError = true)]
    private static unsafe partial nint SendTo(int fd, byte* buffer, nuint length, int flags, SockAddrLl* address, int addressLength);

    [LibraryImport("libc", EntryPoint = "recvfrom", SetLastError = true)]
    private static unsafe partial nint RecvFrom(int fd, byte* buffer, nuint length, int flags, SockAddrLl* address, int* addressLength);

    [LibraryImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    private static unsafe partial int SetSockOpt(int fd, int level, int name, void* value, int length);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "if_nametoindex", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int IfNameToIndex(string name);

    /// <summary>Sends one frame (destination, source, EtherType, payload, padded to 60 bytes) out of <paramref name="ifname"/> in <paramref name="ns"/>.</summary>
    public static unsafe void Send(NetworkNamespace ns, string ifname, MacAddress destination, MacAddress source, ushort etherType, ReadOnlySpan<byte> payload)
    {
        var frame = new byte[Math.Max(60, 14 + payload.Length)];
        destination.CopyTo(frame);
        source.CopyTo(frame.AsSpan(6));
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), etherType);
        payload.CopyTo(frame.AsSpan(14));
        ns.Run(() =>
        {
            int fd = Socket(AF_PACKET, SOCK_RAW, 0);
            if (fd < 0) throw new InvalidOperationException($"AF_PACKET socket: errno {Marshal.GetLastPInvokeError()}");
            try
            {
                var to = new SockAddrLl { Family = AF_PACKET, IfIndex = IfNameToIndex(ifname), HaLen = 6 };
                fixed (byte* p = frame)
                {
                    if (SendTo(fd, p, (nuint)frame.Length, 0, &to, sizeof(SockAddrLl)) < 0)
                        throw new InvalidOperationException($"sendto on {ifname}: errno {Marshal.GetLastPInvokeError()}");
                }
            }
            finally
            {
                _ = Close(fd);
            }
            return true;
        });
    }

    /// <summary>
    /// Listens on <paramref name="ifname"/> in <paramref name="ns"/> for frames from <paramref name="source"/> of one of
    /// <paramref name="etherTypes"/> while <paramref name="during"/> runs, and a little after. A tagged frame may show its
    /// tag's type or, with the tag taken off into metadata by the receiving device, its inner type: list both.
    /// </summary>
    public static unsafe int Count(NetworkNamespace ns, string ifname, MacAddress source, ushort[] etherTypes, Action during)
    {
        ArgumentNullException.ThrowIfNull(during);
        int fd = ns.Run(() =>
        {
            int s = Socket(AF_PACKET, SOCK_RAW, BinaryPrimitives.ReverseEndianness((ushort)ETH_P_ALL));
            if (s < 0) throw new InvalidOperationException($"AF_PACKET socket: errno {Marshal.GetLastPInvokeError()}");
            var at = new SockAddrLl { Family = AF_PACKET, Protocol = BinaryPrimitives.ReverseEndianness((ushort)ETH_P_ALL), IfIndex = IfNameToIndex(ifname) };
            if (Bind(s, &at, sizeof(SockAddrLl)) < 0) throw new InvalidOperationException($"bind to {ifname}: errno {Marshal.GetLastPInvokeError()}");
            long* timeout = stackalloc long[2];
            timeout[0] = 0;
            timeout[1] = 200_000;
            _ = SetSockOpt(s, SOL_SOCKET, SO_RCVTIMEO, timeout, 16);
            return s;
        });
        try
        {
            during();
            int count = 0;
            var buffer = new byte[2048];
            var src = new byte[6];
            source.CopyTo(src);
            var deadline = DateTime.UtcNow.AddMilliseconds(500);
            while (DateTime.UtcNow < deadline)
            {
                var from = default(SockAddrLl);
                int length = sizeof(SockAddrLl);
                nint n;
                fixed (byte* p = buffer) n = RecvFrom(fd, p, (nuint)buffer.Length, 0, &from, &length);
                if (n < 14) continue;
                if (from.PktType == PACKET_OUTGOING) continue;
                ushort type = BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(12));
                ushort protocol = BinaryPrimitives.ReverseEndianness(from.Protocol);
                if (buffer.AsSpan(6, 6).SequenceEqual(src) && (etherTypes.Contains(type) || etherTypes.Contains(protocol))) count++;
            }
            return count;
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>An ARP packet for Ethernet and IPv4 (1 request, 2 reply).</summary>
    public static byte[] Arp(ushort operation, MacAddress senderMac, IPAddress senderIP, MacAddress targetMac, IPAddress targetIP)
    {
        var p = new byte[28];
        BinaryPrimitives.WriteUInt16BigEndian(p, 1);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), 0x0800);
        p[4] = 6;
        p[5] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(6), operation);
        senderMac.CopyTo(p.AsSpan(8));
        senderIP.GetAddressBytes().CopyTo(p, 14);
        targetMac.CopyTo(p.AsSpan(18));
        targetIP.GetAddressBytes().CopyTo(p, 24);
        return p;
    }

    /// <summary>
    /// An IPv6 packet carrying an unsolicited neighbour advertisement (override set) that says <paramref name="target"/>
    /// is at <paramref name="targetMac"/>: what poisons a neighbour cache.
    /// </summary>
    public static byte[] NeighbourAdvertisement(IPAddress source, IPAddress destination, IPAddress target, MacAddress targetMac)
    {
        var icmp = new byte[32];
        icmp[0] = 136; // neighbour advertisement
        icmp[4] = 0x20; // override
        target.GetAddressBytes().CopyTo(icmp, 8);
        icmp[24] = 2; // target link-layer address option
        icmp[25] = 1;
        targetMac.CopyTo(icmp.AsSpan(26));
        var packet = new byte[40 + icmp.Length];
        packet[0] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(4), (ushort)icmp.Length);
        packet[6] = 58; // ICMPv6
        packet[7] = 255; // hop limit, as neighbour discovery requires
        source.GetAddressBytes().CopyTo(packet, 8);
        destination.GetAddressBytes().CopyTo(packet, 24);
        // Checksum over the pseudo-header (source, destination, length, next header) and the message.
        uint sum = 0;
        void Add(ReadOnlySpan<byte> bytes)
        {
            for (int i = 0; i < bytes.Length; i += 2) sum += (uint)(bytes[i] << 8 | (i + 1 < bytes.Length ? bytes[i + 1] : 0));
        }
        Add(packet.AsSpan(8, 32));
        Add([0, 0, 0, (byte)icmp.Length, 0, 0, 0, 58]);
        Add(icmp);
        while (sum >> 16 != 0) sum = (sum & 0xffff) + (sum >> 16);
        BinaryPrimitives.WriteUInt16BigEndian(icmp.AsSpan(2), (ushort)~sum);
        icmp.CopyTo(packet, 40);
        return packet;
    }

    /// <summary>The multicast MAC an IPv6 multicast address maps to (33:33 and its last four bytes).</summary>
    public static MacAddress MulticastMac(IPAddress address)
    {
        var a = address.GetAddressBytes();
        return new MacAddress([0x33, 0x33, a[12], a[13], a[14], a[15]]);
    }
}
