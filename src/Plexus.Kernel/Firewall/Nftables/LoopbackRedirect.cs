using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Text;
using Plexus.Kernel.Namespaces;
using Plexus.Kernel.Netlink;

namespace Plexus.Kernel.Firewall.Nftables;

/// <summary>
/// Redirects one loopback address's port to other ports inside a network namespace, for traffic that
/// namespace sends itself: table <c>ip plexus_dns</c> with one nat output chain (DNAT of address:port to
/// address:udpPort and address:tcpPort). Answers go back through conntrack, which gives them the port that
/// was asked; no source NAT is needed, so one base chain is all the kernel registers (the attach pays for
/// it). Replacing a redirect replaces the whole table in the same batch.
/// This is how the embedded resolver answers 127.0.0.11:53 while the sandbox's own programs may bind
/// port 53 (0.0.0.0:53, [::]:53), as Docker's resolver does with iptables.
/// <para>Written as one raw nf_tables batch (what <see cref="Script"/> says in nft's words) on a netlink socket
/// opened in the namespace, not through libnftables: every first join of a sandbox pays for it, and a
/// libnftables context costs a parse and a cache dump per use, and waits for the kernel with select(2), which
/// aborts the whole process once its socket's descriptor is above 1023 (a daemon with a few hundred sandboxes).</para>
/// <para>The socket stays open for as long as the redirect may change (a sandbox's life), because closing it is
/// slow and stalls others: the kernel's release of a netfilter socket (nft_rcv_nl_event) takes the namespace's
/// nf_tables commit mutex and, holding it, waits until every transaction committed so far in any namespace is
/// destroyed, an RCU grace period after any commit. A close on the join made every first join wait about 8 ms,
/// and a link created, renamed or deleted in that namespace meanwhile (the join's own veth, a detach) waited for
/// the same mutex under the rtnl lock, stalling every other attach. <see cref="Dispose"/> hands the socket to
/// a closer thread (<see cref="DeferredClose"/>), when the sandbox goes.</para>
/// </summary>
public sealed class LoopbackRedirect : IDisposable
{
    public const string Family = "ip";
    public const string Table = "plexus_dns";
    private const string Chain = "output";

    // linux/netfilter/nf_tables.h
    private const ushort TableName = 1;
    private const ushort ChainTable = 1, ChainName = 3, ChainHook = 4, ChainPolicy = 5, ChainType = 7;
    private const ushort HookNumber = 1, HookPriority = 2;
    private const ushort RuleTable = 1, RuleChain = 2, RuleExpressions = 4, RuleUserData = 7;
    private const ushort ListElement = 1, ExprName = 1, ExprData = 2, DataValue = 1;
    private const ushort PayloadDreg = 1, PayloadBase = 2, PayloadOffset = 3, PayloadLength = 4;
    private const ushort CmpSreg = 1, CmpOp = 2, CmpData = 3;
    private const ushort MetaDreg = 1, MetaKey = 2;
    private const ushort ImmediateDreg = 1, ImmediateData = 2;
    private const ushort NatType = 1, NatFamily = 2, NatRegAddrMin = 3, NatRegProtoMin = 5;
    private const uint Reg1 = 1, Reg2 = 2, NetworkHeader = 1, TransportHeader = 2, CmpEq = 0, MetaL4Proto = 16, Dnat = 1;
    private const uint HookLocalOut = 3, Accept = 1;
    private const int Priority = -100;
    private const byte UdpProtocol = 17, TcpProtocol = 6;

    private readonly NetlinkSocket _socket;
    private readonly Lock _lock = new();
    private bool _disposed;

    private LoopbackRedirect(NetlinkSocket socket) => _socket = socket;

    /// <summary>The socket's descriptor (for tests that check it is kept, then closed).</summary>
    internal int Descriptor => _socket.Descriptor;

    /// <summary>Opens the netfilter socket in <paramref name="ns"/> that this namespace's redirect is written with.</summary>
    public static LoopbackRedirect Open(NetworkNamespace ns)
    {
        ArgumentNullException.ThrowIfNull(ns);
        return new LoopbackRedirect(ns.Run(() => NetlinkSocket.Open(NftNetlink.Protocol)));
    }

    /// <summary>Installs (or replaces) the redirect in the namespace.</summary>
    public void Apply(IPAddress address, int port, int udpPort, int tcpPort)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
            throw new ArgumentException($"{address}: only IPv4 addresses are redirected", nameof(address));
        Run(w =>
        {
            ReplaceTable(w);
            Message(w, NftNetlink.NewChain, NetlinkFlags.Create, () =>
            {
                w.String(ChainTable, Table);
                w.String(ChainName, Chain);
                int hook = w.BeginNested(ChainHook, markNested: true);
                Be32(w, HookNumber, HookLocalOut);
                Be32(w, HookPriority, unchecked((uint)Priority));
                w.EndNested(hook);
                Be32(w, ChainPolicy, Accept);
                w.String(ChainType, "nat");
            });
            Rule(w, address, port, UdpProtocol, udpPort, NetlinkFlags.None);
            Rule(w, address, port, TcpProtocol, tcpPort, NetlinkFlags.Ack); // the batch's last message
        }, $"the redirect of {address}:{port} to ports {udpPort}/udp and {tcpPort}/tcp");
    }

    /// <summary>Removes the redirect from the namespace, if there is one.</summary>
    public void Remove() =>
        Run(w =>
        {
            Message(w, NftNetlink.NewTable, NetlinkFlags.Create, () => w.String(TableName, Table)); // so the delete never fails
            Message(w, NftNetlink.DelTable, NetlinkFlags.Ack, () => w.String(TableName, Table));
        }, $"removing table {Family} {Table}");

    /// <summary>Closes the socket on the closer thread; the redirect itself stays (it goes with its namespace).</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
        }
        DeferredClose.Enqueue(_socket);
    }

    /// <summary>The batch in nft's words (what <c>nft list table ip plexus_dns</c> shows after it, less the comments' quoting).</summary>
    public static string Script(IPAddress address, int port, int udpPort, int tcpPort)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
            throw new ArgumentException($"{address}: only IPv4 addresses are redirected", nameof(address));
        var a = address.ToString();
        string P(int p) => p.ToString(CultureInfo.InvariantCulture);
        return $$"""
            add table {{Family}} {{Table}}
            delete table {{Family}} {{Table}}
            table {{Family}} {{Table}} {
            	chain {{Chain}} {
            		type nat hook output priority -100; policy accept;
            		ip daddr {{a}} udp dport {{P(port)}} dnat to {{a}}:{{P(udpPort)}} comment "{{Comment(a, port)}}"
            		ip daddr {{a}} tcp dport {{P(port)}} dnat to {{a}}:{{P(tcpPort)}} comment "{{Comment(a, port)}}"
            	}
            }

            """;
    }

    private static string Comment(string address, int port) =>
        string.Create(CultureInfo.InvariantCulture, $"plexus: {address}:{port} is served on another port; {port} stays free");

    /// <summary>add table, delete table, add table: the old redirect (if any) goes, in the same transaction.</summary>
    private static void ReplaceTable(NetlinkWriter w)
    {
        Message(w, NftNetlink.NewTable, NetlinkFlags.Create, () => w.String(TableName, Table));
        Message(w, NftNetlink.DelTable, NetlinkFlags.None, () => w.String(TableName, Table));
        Message(w, NftNetlink.NewTable, NetlinkFlags.Create, () => w.String(TableName, Table));
    }

    /// <summary><c>ip daddr A PROTO dport P dnat to A:TO</c>.</summary>
    private static void Rule(NetlinkWriter w, IPAddress address, int port, byte protocol, int to, NetlinkFlags ack)
    {
        Span<byte> a = stackalloc byte[4];
        address.TryWriteBytes(a, out _);
        var ip = a.ToArray();
        byte[] BigEndian16(int value) => [(byte)(value >> 8), (byte)value];
        Message(w, NftNetlink.NewRule, NetlinkFlags.Create | NetlinkFlags.Append | ack, () =>
        {
            w.String(RuleTable, Table);
            w.String(RuleChain, Chain);
            int list = w.BeginNested(RuleExpressions, markNested: true);
            Expression(w, "payload", () => Payload(w, NetworkHeader, 16, 4));
            Expression(w, "cmp", () => Compare(w, ip));
            Expression(w, "meta", () =>
            {
                Be32(w, MetaKey, MetaL4Proto);
                Be32(w, MetaDreg, Reg1);
            });
            Expression(w, "cmp", () => Compare(w, [protocol]));
            Expression(w, "payload", () => Payload(w, TransportHeader, 2, 2)); // the destination port
            Expression(w, "cmp", () => Compare(w, BigEndian16(port)));
            Expression(w, "immediate", () => Immediate(w, Reg1, ip));
            Expression(w, "immediate", () => Immediate(w, Reg2, BigEndian16(to)));
            Expression(w, "nat", () =>
            {
                Be32(w, NatType, Dnat);
                Be32(w, NatFamily, (uint)NftNetlink.FamilyIPv4);
                Be32(w, NatRegAddrMin, Reg1);
                Be32(w, NatRegProtoMin, Reg2);
            });
            w.EndNested(list);
            // As nft stores a rule's comment: NFTNL_UDATA_RULE_COMMENT (0), its length, the text with its NUL.
            var text = Encoding.UTF8.GetBytes(Comment(address.ToString(), port) + "\0");
            w.Attribute(RuleUserData, [0, (byte)text.Length, .. text]);
        });
    }

    /// <summary>nf_tables' numbers are big-endian 32-bit attributes.</summary>
    private static void Be32(NetlinkWriter w, ushort type, uint value) => w.UInt32(type, BinaryPrimitives.ReverseEndianness(value));

    private static void Payload(NetlinkWriter w, uint header, uint offset, uint length)
    {
        Be32(w, PayloadDreg, Reg1);
        Be32(w, PayloadBase, header);
        Be32(w, PayloadOffset, offset);
        Be32(w, PayloadLength, length);
    }

    private static void Compare(NetlinkWriter w, byte[] value)
    {
        Be32(w, CmpSreg, Reg1);
        Be32(w, CmpOp, CmpEq);
        int data = w.BeginNested(CmpData, markNested: true);
        w.Attribute(DataValue, value);
        w.EndNested(data);
    }

    private static void Immediate(NetlinkWriter w, uint register, byte[] value)
    {
        Be32(w, ImmediateDreg, register);
        int data = w.BeginNested(ImmediateData, markNested: true);
        w.Attribute(DataValue, value);
        w.EndNested(data);
    }

    private static void Expression(NetlinkWriter w, string name, Action data)
    {
        int element = w.BeginNested(ListElement, markNested: true);
        w.String(ExprName, name);
        int nested = w.BeginNested(ExprData, markNested: true);
        data();
        w.EndNested(nested);
        w.EndNested(element);
    }

    private static uint _sequence = (uint)Environment.TickCount;

    private static void Message(NetlinkWriter w, byte kind, NetlinkFlags flags, Action attributes)
    {
        w.BeginMessage(NftNetlink.MessageType(kind), NetlinkFlags.Request | flags);
        NftNetlink.WriteHeader(w, NftNetlink.FamilyIPv4);
        attributes();
        w.EndMessage(Interlocked.Increment(ref _sequence));
    }

    /// <summary>
    /// One batch (one kernel transaction) on the namespace's netfilter socket; the kernel handles a batch inside
    /// sendmsg, so every answer is queued when the send returns. The kernel reports every refused message whether
    /// or not it asked for an acknowledgement; only the last asks (one answer to read, not one per message).
    /// Throws and changes nothing if the kernel refuses any part.
    /// </summary>
    private void Run(Action<NetlinkWriter> build, string what)
    {
        var w = new NetlinkWriter(2048);
        NftNetlink.WriteBatchBoundary(w, NftNetlink.BatchBegin, Interlocked.Increment(ref _sequence));
        build(w);
        NftNetlink.WriteBatchBoundary(w, NftNetlink.BatchEnd, Interlocked.Increment(ref _sequence));
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            NftNetlink.SendBatch(_socket, w.WrittenSpan, new byte[8192], what);
        }
    }
}
