using System.Text;
using Plexus.Kernel.Interop;
using Plexus.Kernel.Namespaces;

namespace Plexus.Kernel.Firewall.Watching;

/// <summary>
/// A cheap fingerprint of iptables-legacy's tables (x_tables), which send no notifications: for each table Plexus
/// uses, its entry count, size and hook offsets, read with one getsockopt(IPT_SO_GET_INFO) each on raw sockets
/// opened in the firewall's namespace. Any flush, append or delete changes it; reading it is a few system calls,
/// no process. A policy's tables beside iptables are nf_tables even then: the nf_tables generation is part of the
/// fingerprint, so a change to them (or to any other nf_tables table) is looked at too.
/// </summary>
internal sealed class XtablesFingerprint : IDisposable
{
    private static readonly string[] Tables4 = ["raw", "nat", "filter"];
    private static readonly string[] Tables6 = ["nat", "filter"];

    private readonly SafeFileDescriptor _v4;
    private readonly SafeFileDescriptor? _v6;
    private readonly Nftables.NftGeneration? _generation;

    private XtablesFingerprint(SafeFileDescriptor v4, SafeFileDescriptor? v6, Nftables.NftGeneration? generation)
    {
        _v4 = v4;
        _v6 = v6;
        _generation = generation;
    }

    public static XtablesFingerprint Open(NetworkNamespace? ns, bool ipv6, bool withGeneration)
    {
        (SafeFileDescriptor, SafeFileDescriptor?) Create()
        {
            var v4 = Raw(Libc.AF_INET);
            try
            {
                return (v4, ipv6 ? Raw(Libc.AF_INET6) : null);
            }
            catch
            {
                v4.Dispose();
                throw;
            }
        }
        var (a, b) = ns is null ? Create() : ns.Run(Create);
        try
        {
            return new XtablesFingerprint(a, b, withGeneration ? Nftables.NftGeneration.Open(ns) : null);
        }
        catch
        {
            a.Dispose();
            b?.Dispose();
            throw;
        }
    }

    private static SafeFileDescriptor Raw(int family)
    {
        int fd = Libc.Socket(family, Libc.SOCK_RAW | Libc.SOCK_CLOEXEC, Libc.IPPROTO_RAW);
        if (fd < 0) throw KernelException.FromErrno("open a raw socket to read iptables-legacy's tables");
        return new SafeFileDescriptor(fd);
    }

    /// <summary>The fingerprint now; a table that does not exist yet reads as "absent".</summary>
    public string Read()
    {
        var b = new StringBuilder();
        if (_generation is not null) b.Append("nft:").Append(_generation.Current()).Append(';');
        foreach (var table in Tables4) Append(b, _v4, Libc.IPPROTO_IP, table);
        if (_v6 is not null)
        {
            foreach (var table in Tables6) Append(b, _v6, Libc.IPPROTO_IPV6, table);
        }
        return b.ToString();
    }

    private static unsafe void Append(StringBuilder b, SafeFileDescriptor fd, int level, string table)
    {
        // struct ipt_getinfo: name[32], valid_hooks, hook_entry[5], underflow[5], num_entries, size (84 bytes).
        const int size = 84;
        byte* info = stackalloc byte[size];
        new Span<byte>(info, size).Clear();
        Encoding.ASCII.GetBytes(table, new Span<byte>(info, 32));
        int length = size;
        b.Append(level).Append(':').Append(table).Append('=');
        if (Libc.GetSockOpt(fd, level, Libc.XT_SO_GET_INFO, info, &length) != 0)
        {
            b.Append("absent(").Append(Errno.Name(Errno.Last)).Append(");");
            return;
        }
        var words = new ReadOnlySpan<uint>(info + 32, 13);
        foreach (var w in words) b.Append(w).Append(',');
        b.Append(';');
    }

    public void Dispose()
    {
        _v4.Dispose();
        _v6?.Dispose();
        _generation?.Dispose();
    }
}
