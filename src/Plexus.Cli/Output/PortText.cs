using System.Globalization;
using Plexus.Api;

namespace Plexus.Cli.Output;

/// <summary>Ports as docker shows them: ps's "0.0.0.0:8080->80/tcp, 443/tcp" and port's "80/tcp -> 0.0.0.0:8080".</summary>
internal static class PortText
{
    /// <summary>
    /// docker's DisplayablePorts: sorted; a port published on the same number, or only exposed, is grouped
    /// into ranges ("0.0.0.0:80-81->80-81/tcp", "53-54/udp"); a port published on another number is listed
    /// on its own, after the groups.
    /// </summary>
    public static string Summary(IEnumerable<PortJson> ports)
    {
        var sorted = ports.OrderBy(p => p.PrivatePort)
            .ThenBy(p => p.IP ?? "", StringComparer.Ordinal)
            .ThenBy(p => p.PublicPort ?? 0)
            .ThenBy(p => p.Type, StringComparer.Ordinal)
            .ToList();
        var groups = new Dictionary<string, (int First, int Last)>(StringComparer.Ordinal);
        var groupOrder = new List<string>();
        var result = new List<string>();
        var mappings = new List<string>();
        foreach (var port in sorted)
        {
            int current = port.PrivatePort;
            string key = port.Type;
            if (!string.IsNullOrEmpty(port.IP))
            {
                if (port.PublicPort != current)
                {
                    mappings.Add($"{JoinHostPort(port.IP, (port.PublicPort ?? 0).ToString(CultureInfo.InvariantCulture))}->{port.PrivatePort}/{port.Type}");
                    continue;
                }
                key = $"{port.IP}/{port.Type}";
            }
            if (!groups.TryGetValue(key, out var group))
            {
                groups[key] = (current, current);
                groupOrder.Add(key);
                continue;
            }
            if (current == group.Last + 1)
            {
                groups[key] = (group.First, current);
                continue;
            }
            result.Add(FormGroup(key, group.First, group.Last));
            groups[key] = (current, current);
        }
        result.AddRange(groupOrder.Select(k => FormGroup(k, groups[k].First, groups[k].Last)));
        result.AddRange(mappings);
        return string.Join(", ", result);
    }

    private static string FormGroup(string key, int first, int last)
    {
        var parts = key.Split('/');
        string type = parts.Length > 1 ? parts[1] : parts[0];
        string? ip = parts.Length > 1 ? parts[0] : null;
        string group = first == last ? first.ToString(CultureInfo.InvariantCulture) : $"{first}-{last}";
        if (ip is not null) group = $"{ip}:{group}->{group}";
        return $"{group}/{type}";
    }

    /// <summary>Go's net.JoinHostPort: IPv6 hosts in brackets.</summary>
    public static string JoinHostPort(string host, string port) =>
        host.Contains(':', StringComparison.Ordinal) ? $"[{host}]:{port}" : $"{host}:{port}";

    /// <summary>`plexus port`: one "80/tcp -> 0.0.0.0:8080" line per binding, by port number then protocol.</summary>
    public static List<string> Bindings(IReadOnlyDictionary<string, List<PortBindingJson>?> ports, string? filter)
    {
        var lines = new List<string>();
        foreach (var (key, bindings) in ports.OrderBy(kv => PortNumber(kv.Key)).ThenBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (bindings is null) continue;
            if (filter is not null && key != filter) continue;
            foreach (var b in bindings)
            {
                var host = JoinHostPort(b.HostIp.Length == 0 ? "0.0.0.0" : b.HostIp, b.HostPort);
                lines.Add(filter is null ? $"{key} -> {host}" : host);
            }
        }
        return lines;
    }

    private static int PortNumber(string key) =>
        int.TryParse(key.Split('/')[0].Split('-')[0], CultureInfo.InvariantCulture, out var n) ? n : int.MaxValue;
}
