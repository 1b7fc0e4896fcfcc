using System.Globalization;
using System.Net;
using Plexus.Kernel.Namespaces;

namespace Plexus.Kernel.Firewall.Nftables;

/// <summary>
/// Redirects one loopback address's port to other ports inside a network namespace, for traffic that
/// namespace sends itself: table <c>ip plexus_dns</c> with one nat output chain (DNAT of address:port to
/// address:udpPort and address:tcpPort). Answers go back through conntrack, which gives them the port that
/// was asked; no source NAT is needed, so one base chain is all the kernel registers (the attach pays for
/// it). Applied as one batch through libnftables in process, on the namespace's worker thread; replacing a
/// redirect replaces the whole table in the same batch.
/// This is how the embedded resolver answers 127.0.0.11:53 while the sandbox's own programs may bind
/// port 53 (0.0.0.0:53, [::]:53), as Docker's resolver does with iptables.
/// </summary>
public static class LoopbackRedirect
{
    public const string Family = "ip";
    public const string Table = "plexus_dns";

    /// <summary>Installs (or replaces) the redirect in <paramref name="ns"/>.</summary>
    public static void Apply(NetworkNamespace ns, IPAddress address, int port, int udpPort, int tcpPort)
    {
        ArgumentNullException.ThrowIfNull(ns);
        var script = Script(address, port, udpPort, tcpPort);
        ns.Run(() =>
        {
            using var nft = NftContext.Open(null); // on the namespace's thread: the context's socket is in it
            nft.Run(script, $"the redirect of {address}:{port} to ports {udpPort}/udp and {tcpPort}/tcp");
        });
    }

    /// <summary>Removes the redirect from <paramref name="ns"/>, if there is one.</summary>
    public static void Remove(NetworkNamespace ns)
    {
        ArgumentNullException.ThrowIfNull(ns);
        ns.Run(() =>
        {
            using var nft = NftContext.Open(null);
            nft.Run($"add table {Family} {Table}\ndelete table {Family} {Table}\n", $"removing table {Family} {Table}");
        });
    }

    /// <summary>The batch: the table made anew, with its chain.</summary>
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
            	chain output {
            		type nat hook output priority -100; policy accept;
            		ip daddr {{a}} udp dport {{P(port)}} dnat to {{a}}:{{P(udpPort)}} comment "plexus: {{a}}:{{P(port)}} is served on another port; {{P(port)}} stays free"
            		ip daddr {{a}} tcp dport {{P(port)}} dnat to {{a}}:{{P(tcpPort)}} comment "plexus: {{a}}:{{P(port)}} is served on another port; {{P(port)}} stays free"
            	}
            }

            """;
    }
}
