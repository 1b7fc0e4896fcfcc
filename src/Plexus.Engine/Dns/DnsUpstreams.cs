using System.Net;
using Plexus.Engine.Model;

namespace Plexus.Engine.Dns;

/// <summary>
/// The upstream servers of a sandbox, in Docker's order of precedence: the sandbox's own (--dns), the
/// daemon's (--dns), else the host's resolv.conf. Entries that are not addresses are skipped.
/// </summary>
public static class DnsUpstreams
{
    private static (DateTime Stamp, IReadOnlyList<string> Servers) s_host = (DateTime.MinValue, []);

    public static IReadOnlyList<string> Of(SandboxState sandbox, IReadOnlyList<string> daemonDefault) =>
        sandbox.DnsServers.Count > 0 ? sandbox.DnsServers
            : daemonDefault.Count > 0 ? daemonDefault
            : HostNameservers();

    /// <summary>The same, as the resolver reaches them: port 53, loopback servers from the host's namespace.</summary>
    public static IReadOnlyList<Upstream> ForResolver(SandboxState sandbox, IReadOnlyList<string> daemonDefault) =>
        Of(sandbox, daemonDefault)
            .Select(s => IPAddress.TryParse(s, out var ip) ? ip : null)
            .OfType<IPAddress>()
            .Select(ip => new Upstream(new IPEndPoint(ip, 53), IPAddress.IsLoopback(ip)))
            .ToList();

    /// <summary>The nameservers in the host's /etc/resolv.conf, re-read when the file changes.</summary>
    public static IReadOnlyList<string> HostNameservers(string path = "/etc/resolv.conf")
    {
        try
        {
            var stamp = File.GetLastWriteTimeUtc(path);
            var cached = s_host;
            if (path == "/etc/resolv.conf" && cached.Stamp == stamp) return cached.Servers;
            var servers = File.ReadLines(path)
                .Select(l => l.Trim())
                .Where(l => l.StartsWith("nameserver", StringComparison.Ordinal))
                .Select(l => l["nameserver".Length..].Trim())
                .Where(a => IPAddress.TryParse(a, out _))
                .ToList();
            if (path == "/etc/resolv.conf") s_host = (stamp, servers);
            return servers;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
