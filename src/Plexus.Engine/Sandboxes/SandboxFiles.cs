using System.Text;
using Plexus.Engine.Model;

namespace Plexus.Engine.Sandboxes;

/// <summary>
/// A sandbox's own hosts, resolv.conf and hostname files, under {exec-root}/sandboxes/{id}/. Processes
/// started in the sandbox see them over /etc (as `ip netns exec` does with /etc/netns/NAME).
/// </summary>
public sealed class SandboxFiles
{
    private readonly string _root;
    private readonly IReadOnlyList<string> _defaultDns;

    /// <summary>What each file was last written with: a join rewrites only the files it changes.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _written = new(StringComparer.Ordinal);

    public SandboxFiles(string root, IReadOnlyList<string> defaultDns)
    {
        _root = root;
        _defaultDns = defaultDns;
    }

    public string DirectoryOf(string sandboxId) => Path.Combine(_root, sandboxId);

    public string HostsPath(string sandboxId) => Path.Combine(DirectoryOf(sandboxId), "hosts");

    public string ResolvConfPath(string sandboxId) => Path.Combine(DirectoryOf(sandboxId), "resolv.conf");

    public string HostnamePath(string sandboxId) => Path.Combine(DirectoryOf(sandboxId), "hostname");

    /// <summary>
    /// Writes all three files for the sandbox's current addresses. With <paramref name="embeddedDns"/> the
    /// sandbox asks its resolver at 127.0.0.11, else its upstream servers directly.
    /// </summary>
    public void Write(SandboxState sandbox, IEnumerable<EndpointState> joined, IReadOnlyList<LinkedHost>? links = null, bool embeddedDns = false)
    {
        // Once its files are written the directory exists: a join does not ask again (mkdir, then stat on EEXIST).
        // Should something have removed it meanwhile, it is made again and every file written afresh.
        if (!_written.ContainsKey(HostnamePath(sandbox.Id))) Directory.CreateDirectory(DirectoryOf(sandbox.Id));
        try
        {
            WriteAll(sandbox, joined, links, embeddedDns);
        }
        catch (DirectoryNotFoundException)
        {
            Forget(sandbox.Id);
            Directory.CreateDirectory(DirectoryOf(sandbox.Id));
            WriteAll(sandbox, joined, links, embeddedDns);
        }
    }

    private void WriteAll(SandboxState sandbox, IEnumerable<EndpointState> joined, IReadOnlyList<LinkedHost>? links, bool embeddedDns)
    {
        var hostname = HostnameOf(sandbox);
        Replace(HostnamePath(sandbox.Id), hostname + "\n");
        Replace(HostsPath(sandbox.Id), Hosts(sandbox, hostname, joined, links ?? []));
        Replace(ResolvConfPath(sandbox.Id), ResolvConf(sandbox, embeddedDns));
    }

    public void Remove(string sandboxId)
    {
        Forget(sandboxId);
        var dir = DirectoryOf(sandboxId);
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
    }

    private void Forget(string sandboxId)
    {
        foreach (var path in new[] { HostsPath(sandboxId), ResolvConfPath(sandboxId), HostnamePath(sandboxId) }) _written.TryRemove(path, out _);
    }

    /// <summary>Docker's default: the first 12 characters of the id.</summary>
    public static string HostnameOf(SandboxState sandbox) => sandbox.Hostname is { Length: > 0 } h ? h : Ids.Short(sandbox.Id);

    internal static string Hosts(SandboxState sandbox, string hostname, IEnumerable<EndpointState> joined, IReadOnlyList<LinkedHost>? links = null)
    {
        var sb = new StringBuilder();
        sb.Append("127.0.0.1\tlocalhost\n");
        sb.Append("::1\tlocalhost ip6-localhost ip6-loopback\n");
        sb.Append("fe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n");
        var names = hostname == sandbox.Name ? hostname : $"{hostname} {sandbox.Name}";
        foreach (var endpoint in joined.OrderBy(e => e.JoinOrder))
        {
            if (endpoint.IPv4 is { } v4) sb.Append(v4.Address).Append('\t').Append(names).Append('\n');
            if (endpoint.IPv6 is { } v6) sb.Append(v6.Address).Append('\t').Append(names).Append('\n');
        }
        // Legacy links, as Docker writes them: the target's address under the alias, its short id and its name.
        foreach (var link in links ?? [])
            sb.Append(link.Address).Append('\t').Append(link.Alias == link.Name ? link.Name : $"{link.Alias} {link.Name}").Append('\n');
        foreach (var extra in sandbox.ExtraHosts)
        {
            // "name:ip" as docker's --add-host; the address may itself contain colons (IPv6).
            int colon = extra.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0) continue;
            sb.Append(extra.AsSpan(colon + 1)).Append('\t').Append(extra.AsSpan(0, colon)).Append('\n');
        }
        return sb.ToString();
    }

    internal string ResolvConf(SandboxState sandbox, bool embeddedDns = false)
    {
        var upstream = Dns.DnsUpstreams.Of(sandbox, _defaultDns);
        var sb = new StringBuilder();
        if (embeddedDns)
        {
            // As Docker: the resolver forwards to the upstream servers, listed here for whoever reads the file.
            sb.Append("# Plexus embedded DNS. Upstream: ").AppendJoin(' ', upstream).Append('\n');
            sb.Append("nameserver ").Append(Dns.SandboxResolver.Address).Append('\n');
        }
        else
        {
            // Loopback servers of the host mean nothing inside a sandbox's own namespace.
            foreach (var s in upstream.Where(s => !System.Net.IPAddress.TryParse(s, out var ip) || !System.Net.IPAddress.IsLoopback(ip)))
                sb.Append("nameserver ").Append(s).Append('\n');
        }
        if (sandbox.DnsSearch.Count > 0) sb.Append("search ").AppendJoin(' ', sandbox.DnsSearch).Append('\n');
        IReadOnlyList<string> options = embeddedDns && !sandbox.DnsOptions.Any(o => o.StartsWith("ndots:", StringComparison.Ordinal))
            ? ["ndots:0", .. sandbox.DnsOptions]
            : sandbox.DnsOptions;
        if (options.Count > 0) sb.Append("options ").AppendJoin(' ', options).Append('\n');
        return sb.ToString();
    }

    /// <summary>
    /// Rewrites in place (same inode): running processes see the file through a bind mount over /etc,
    /// and a rename would leave them looking at the old inode.
    /// </summary>
    private void Replace(string path, string content)
    {
        if (_written.TryGetValue(path, out var last))
        {
            if (last == content) return;
        }
        else if (SameOnDisk(path, content))
        {
            // A restarted daemon finds most files as it left them: reading is cheaper than truncating and
            // rewriting (a restore of 200 sandboxes spent an eighth of its CPU rewriting unchanged files).
            _written[path] = content;
            return;
        }
        Overwrite(path, content);
        _written[path] = content;
    }

    /// <summary>
    /// The file truncated and rewritten in place (open, one write, close), not replaced: processes of the sandbox may
    /// have it bind-mounted. UTF-8 without a BOM, as File.WriteAllText writes; without its FileStream and
    /// StreamWriter, whose buffers (several KiB per file, two files per join) and position query it does not need.
    /// </summary>
    private static void Overwrite(string path, string content)
    {
        var bytes = Encoding.UTF8.GetBytes(content);
        using var handle = File.OpenHandle(path, FileMode.Create, FileAccess.Write);
        RandomAccess.Write(handle, bytes, 0);
    }

    /// <summary>True when the file already holds exactly <paramref name="content"/> (as <see cref="Overwrite"/> writes it: UTF-8, no BOM).</summary>
    private static bool SameOnDisk(string path, string content)
    {
        if (!File.Exists(path)) return false; // a new sandbox: no exception on the create path
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
            var expected = Encoding.UTF8.GetBytes(content);
            if (RandomAccess.GetLength(handle) != expected.Length) return false;
            var actual = new byte[expected.Length];
            int read = 0;
            while (read < actual.Length)
            {
                int n = RandomAccess.Read(handle, actual.AsSpan(read), read);
                if (n == 0) return false;
                read += n;
            }
            return actual.AsSpan().SequenceEqual(expected);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false; // rewritten below, which reports what is wrong
        }
    }
}

/// <summary>A linked sandbox as the linking one sees it: its address under an alias and its name.</summary>
public sealed record LinkedHost(string Alias, string Name, System.Net.IPAddress Address, IReadOnlyList<string> ExposedPorts);
