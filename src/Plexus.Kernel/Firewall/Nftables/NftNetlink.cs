using System.Buffers.Binary;
using Plexus.Kernel.Netlink;

namespace Plexus.Kernel.Firewall.Nftables;

/// <summary>
/// nf_tables over raw netlink: the notifications every committed batch sends to NFNLGRP_NFTABLES and the generation
/// query (the firewall's watcher), and the batch framing shared by the raw writers (set elements, the resolver's
/// loopback redirect). Everything else goes through libnftables.
/// Numbers are from linux/netfilter/nfnetlink.h and nf_tables.h.
/// </summary>
internal static class NftNetlink
{
    /// <summary>NETLINK_NETFILTER.</summary>
    public const int Protocol = 12;

    /// <summary>NFNLGRP_NFTABLES: every committed change to any table, then a NEWGEN naming the batch.</summary>
    public const uint GroupNftables = 7;

    /// <summary>struct nfgenmsg: family, version, resource id (big-endian).</summary>
    public const int HeaderSize = 4;

    private const int SubsystemNftables = 10;

    public const byte NewTable = 0;
    public const byte DelTable = 2;
    public const byte NewChain = 3;
    public const byte DelChain = 5;
    public const byte NewRule = 6;
    public const byte DelRule = 8;
    public const byte NewSet = 9;
    public const byte DelSet = 11;
    public const byte NewSetElem = 12;
    public const byte DelSetElem = 14;
    public const byte NewGen = 15;
    public const byte GetGen = 16;

    // NFPROTO_*: the family byte of nfgenmsg.
    public const byte FamilyInet = NftFamily.Inet;
    public const byte FamilyIPv4 = NftFamily.IPv4;
    public const byte FamilyBridge = NftFamily.Bridge;
    public const byte FamilyIPv6 = NftFamily.IPv6;

    /// <summary>The table's name: attribute 1 of tables, chains, rules, sets, element lists, objects and flowtables.</summary>
    private const ushort AttrTable = 1;
    private const ushort AttrChainName = 3;
    private const ushort AttrChainHook = 4;
    private const ushort AttrRuleChain = 2;
    private const ushort AttrRuleUserData = 7;
    private const ushort AttrGenId = 1;
    private const ushort AttrGenPid = 2;
    private const ushort AttrGenProcName = 3;

    /// <summary>NFTNL_UDATA_RULE_COMMENT inside a rule's user data (type, length, value records).</summary>
    private const byte UserDataComment = 0;

    public static ushort MessageType(byte kind) => (ushort)((SubsystemNftables << 8) | kind);

    /// <summary>Writes the nfgenmsg of a request (version 0, resource id 0).</summary>
    public static void WriteHeader(NetlinkWriter writer, byte family)
    {
        var header = writer.Reserve(HeaderSize);
        header[0] = family;
    }

    /// <summary>NFNL_MSG_BATCH_BEGIN and NFNL_MSG_BATCH_END: the bounds of one nf_tables transaction.</summary>
    public const ushort BatchBegin = 0x10;
    public const ushort BatchEnd = 0x11;

    /// <summary>Writes a batch boundary (<see cref="BatchBegin"/> or <see cref="BatchEnd"/>) addressed to nf_tables.</summary>
    public static void WriteBatchBoundary(NetlinkWriter writer, ushort type, uint sequence)
    {
        writer.BeginMessage(type, NetlinkFlags.Request);
        var header = writer.Reserve(HeaderSize);
        header[3] = 10; // resource id: NFNL_SUBSYS_NFTABLES, big-endian
        writer.EndMessage(sequence);
    }

    /// <summary>
    /// Sends one batch and reads its answers. The kernel handles a batch inside sendmsg, so every answer is queued
    /// when the send returns and is read without waiting; it reports every refused message, acknowledged or not.
    /// Only answers to this batch's messages count: a long-lived socket may still hold answers an earlier batch left
    /// unread (its read failed half-way), which must not be taken for this one's. Throws
    /// <see cref="FirewallException"/> (the kernel then changed nothing) if any part was refused.
    /// </summary>
    public static void SendBatch(NetlinkSocket socket, ReadOnlySpan<byte> batch, byte[] buffer, string what)
    {
        uint first = 0, last = 0;
        bool any = false;
        foreach (var message in new NetlinkMessageReader(batch))
        {
            if (!any) first = message.Header.Sequence;
            last = message.Header.Sequence;
            any = true;
        }
        socket.Send(batch);
        string? error = null;
        while (socket.TryReceive(buffer, out int length, dontWait: true) == ReceiveStatus.Data)
        {
            foreach (var message in new NetlinkMessageReader(buffer.AsSpan(0, length)))
            {
                if (message.Header.Type != NetlinkMessageType.Error) continue;
                if (unchecked(message.Header.Sequence - first) > unchecked(last - first)) continue; // an earlier batch's
                int errno = NetlinkConnection.ReadError(message, out var text, out _);
                if (errno != 0) error ??= $"{text ?? Interop.Errno.Describe(errno)} ({Interop.Errno.Name(errno)})";
            }
        }
        if (error is not null) throw new FirewallException($"nftables refused {what}", error);
    }

    /// <summary>Decodes one notification; false for messages of other subsystems.</summary>
    public static bool TryParse(NetlinkMessage message, out NftNotification notification)
    {
        notification = default;
        if (message.Header.Type >> 8 != SubsystemNftables || message.Payload.Length < HeaderSize) return false;
        var kind = (byte)(message.Header.Type & 0xff);
        var family = message.Payload[0];
        string? table = null, chain = null, comment = null, process = null;
        bool hook = false;
        uint generation = 0, pid = 0;
        foreach (var a in message.Attributes(HeaderSize))
        {
            if (kind == NewGen)
            {
                if (a.Type == AttrGenId) generation = a.AsUInt32BigEndian();
                else if (a.Type == AttrGenPid) pid = a.AsUInt32BigEndian();
                else if (a.Type == AttrGenProcName) process = a.AsString();
                continue;
            }
            if (a.Type == AttrTable) table = a.AsString();
            else if (kind is NewChain or DelChain && a.Type == AttrChainName) chain = a.AsString();
            else if (kind is NewChain or DelChain && a.Type == AttrChainHook) hook = true;
            else if (kind is NewRule or DelRule && a.Type == AttrRuleChain) chain = a.AsString();
            else if (kind is NewRule or DelRule && a.Type == AttrRuleUserData) comment = Comment(a.Value);
        }
        notification = new NftNotification(kind, family, table, chain, hook, comment, generation, pid, process);
        return true;
    }

    private static string? Comment(ReadOnlySpan<byte> userData)
    {
        while (userData.Length >= 2)
        {
            byte type = userData[0], length = userData[1];
            if (userData.Length < 2 + length) return null;
            if (type == UserDataComment)
            {
                var value = userData.Slice(2, length);
                int nul = value.IndexOf((byte)0);
                return System.Text.Encoding.UTF8.GetString(nul >= 0 ? value[..nul] : value);
            }
            userData = userData[(2 + length)..];
        }
        return null;
    }

    /// <summary>Reads NFTA_GEN_ID out of a NEWGEN reply.</summary>
    public static bool DecodeGeneration(NetlinkMessage message, out uint generation)
    {
        generation = 0;
        if (message.Header.Type != MessageType(NewGen) || message.Payload.Length < HeaderSize) return false;
        foreach (var a in message.Attributes(HeaderSize))
        {
            if (a.Type != AttrGenId) continue;
            generation = a.AsUInt32BigEndian();
            return true;
        }
        return false;
    }
}

/// <summary>
/// One nf_tables notification. A committed batch sends one per object it added or deleted, then a NEWGEN with the
/// new generation number and the process that committed it (<see cref="ProcessName"/>, <see cref="ProcessId"/>).
/// </summary>
internal readonly record struct NftNotification(byte Kind, byte Family, string? Table, string? Chain, bool HasHook,
    string? RuleComment, uint Generation, uint ProcessId, string? ProcessName)
{
    public bool IsGeneration => Kind == NftNetlink.NewGen;

    public string FamilyName => Family switch
    {
        NftNetlink.FamilyInet => "inet",
        NftNetlink.FamilyIPv4 => "ip",
        NftNetlink.FamilyIPv6 => "ip6",
        NftNetlink.FamilyBridge => "bridge",
        3 => "arp",
        5 => "netdev",
        _ => $"family {Family}",
    };
}
