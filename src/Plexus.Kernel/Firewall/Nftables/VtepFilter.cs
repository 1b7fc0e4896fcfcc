using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Plexus.Kernel.Namespaces;

namespace Plexus.Kernel.Firewall.Nftables;

/// <summary>
/// VXLAN only from known tunnel ends: table <c>inet plexus-overlay</c> drops UDP to the VXLAN port whose source is
/// not in the set <c>vteps</c>, before anything else sees it (prerouting, raw priority), so nobody outside the
/// cluster injects frames into an overlay network. The set is the cluster's registered hosts, replaced as a whole
/// at start and changed one element at a time as hosts come and go: one small batch per change, never a rule
/// per host. The table is left in place on dispose (failing closed while the daemon is away).
/// </summary>
public sealed class VtepFilter : IDisposable
{
    public const string Table = "plexus-overlay";
    private readonly NftContext _nft;
    private readonly ushort _port;

    private VtepFilter(NftContext nft, ushort port)
    {
        _nft = nft;
        _port = port;
    }

    /// <summary>A filter in <paramref name="ns"/> (null: the caller's namespace) for VXLAN on UDP <paramref name="port"/>.</summary>
    public static VtepFilter Open(NetworkNamespace? ns, ushort port) => new(NftContext.Open(ns), port);

    /// <summary>Makes the table, its rule and its set exactly <paramref name="vteps"/> (IPv4 ones), in one batch.</summary>
    public void Replace(IEnumerable<IPAddress> vteps)
    {
        ArgumentNullException.ThrowIfNull(vteps);
        var p = _port.ToString(CultureInfo.InvariantCulture);
        var script = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"table inet {Table} {{}}\ndelete table inet {Table}\n")
            .Append(CultureInfo.InvariantCulture, $"table inet {Table} {{\n  set vteps {{ type ipv4_addr; }}\n")
            .Append(CultureInfo.InvariantCulture, $"  chain vxlan {{ type filter hook prerouting priority raw; policy accept;\n    udp dport {p} ip saddr != @vteps counter drop\n  }}\n}}\n");
        var v4 = vteps.Where(a => a.AddressFamily == AddressFamily.InterNetwork).Distinct().ToList();
        if (v4.Count > 0) script.Append(CultureInfo.InvariantCulture, $"add element inet {Table} vteps {{ {string.Join(", ", v4)} }}\n");
        _nft.Run(script.ToString(), "the VXLAN source filter");
    }

    /// <summary>Accepts VXLAN from <paramref name="vtep"/> (a host that registered).</summary>
    public void Add(IPAddress vtep)
    {
        ArgumentNullException.ThrowIfNull(vtep);
        if (vtep.AddressFamily == AddressFamily.InterNetwork) _nft.Run($"add element inet {Table} vteps {{ {vtep} }}\n", $"VTEP {vtep} into the VXLAN source filter");
    }

    /// <summary>Stops accepting VXLAN from <paramref name="vtep"/> (a host that left); absent is no error.</summary>
    public void Remove(IPAddress vtep)
    {
        ArgumentNullException.ThrowIfNull(vtep);
        if (vtep.AddressFamily != AddressFamily.InterNetwork) return;
        // Added then deleted in one batch: deleting an absent element would fail the batch.
        _nft.Run($"add element inet {Table} vteps {{ {vtep} }}\ndelete element inet {Table} vteps {{ {vtep} }}\n", $"VTEP {vtep} out of the VXLAN source filter");
    }

    public void Dispose() => _nft.Dispose();
}
