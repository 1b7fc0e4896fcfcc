using System.Globalization;
using System.Net;
using Plexus.Engine.Model;

namespace Plexus.Engine.Ports;

/// <summary>
/// A `-p` argument: [hostIP:][hostPort[-end]:]containerPort[-end][/tcp|udp|sctp] (IPv6 host addresses in
/// brackets). A host port of 0 or none means "any free port". A host range must be as long as the
/// container range; the spec expands to one binding per container port.
/// </summary>
public sealed record PortSpec(PortProtocol Protocol, IPAddress? HostIP, int HostPortStart, int HostPortEnd, int ContainerPortStart, int ContainerPortEnd)
{
    public int Count => ContainerPortEnd - ContainerPortStart + 1;

    /// <summary>The requested bindings; HostPort 0 means "pick a free one".</summary>
    public IEnumerable<PortBinding> Expand()
    {
        for (int i = 0; i < Count; i++)
            yield return new PortBinding(Protocol, ContainerPortStart + i, HostIP, HostPortStart == 0 ? 0 : HostPortStart + i);
    }

    public static PortSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var spec = text.Trim();
        var protocol = PortProtocol.Tcp;
        int slash = spec.LastIndexOf('/');
        if (slash >= 0)
        {
            protocol = spec[(slash + 1)..].ToLowerInvariant() switch
            {
                "tcp" => PortProtocol.Tcp,
                "udp" => PortProtocol.Udp,
                "sctp" => PortProtocol.Sctp,
                var p => throw Bad(text, $"unknown protocol '{p}' (use tcp, udp or sctp)"),
            };
            spec = spec[..slash];
        }

        IPAddress? hostIP = null;
        string hostPart = "", containerPart;
        // An IPv6 host address is written in brackets: [::1]:8080:80.
        if (spec.StartsWith('['))
        {
            int close = spec.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || close + 1 >= spec.Length || spec[close + 1] != ':') throw Bad(text, "an IPv6 host address must be written as [address]:hostPort:containerPort");
            hostIP = IPAddress.TryParse(spec[1..close], out var v6) ? v6 : throw Bad(text, $"'{spec[1..close]}' is not an IP address");
            spec = spec[(close + 2)..];
            int colon = spec.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0) throw Bad(text, "a host address needs a host port (possibly empty) and a container port");
            hostPart = spec[..colon];
            containerPart = spec[(colon + 1)..];
        }
        else
        {
            var parts = spec.Split(':');
            switch (parts.Length)
            {
                case 1:
                    containerPart = parts[0];
                    break;
                case 2:
                    hostPart = parts[0];
                    containerPart = parts[1];
                    break;
                case 3:
                    hostIP = parts[0].Length == 0 ? null
                        : IPAddress.TryParse(parts[0], out var ip) ? ip : throw Bad(text, $"'{parts[0]}' is not an IP address");
                    hostPart = parts[1];
                    containerPart = parts[2];
                    break;
                default:
                    throw Bad(text, "too many ':' (write IPv6 host addresses in brackets)");
            }
        }

        var (cStart, cEnd) = Range(text, containerPart, "container port", allowZero: false);
        var (hStart, hEnd) = hostPart.Length == 0 ? (0, 0) : Range(text, hostPart, "host port", allowZero: true);
        if (hStart != 0)
        {
            int hostCount = hEnd - hStart + 1, containerCount = cEnd - cStart + 1;
            if (hostCount != containerCount && !(hostCount > 1 && containerCount == 1))
                throw Bad(text, $"the host range has {hostCount} ports but the container range has {containerCount}");
            if (hostCount > 1 && containerCount == 1)
                throw Bad(text, "a host port range for a single container port is not supported; give one host port");
        }
        return new PortSpec(protocol, hostIP, hStart, hStart == 0 ? 0 : hEnd, cStart, cEnd);
    }

    private static (int, int) Range(string text, string part, string what, bool allowZero)
    {
        int dash = part.IndexOf('-', StringComparison.Ordinal);
        int start = Port(text, dash < 0 ? part : part[..dash], what, allowZero);
        int end = dash < 0 ? start : Port(text, part[(dash + 1)..], what, allowZero: false);
        if (end < start) throw Bad(text, $"{what} range {part} ends before it starts");
        if (start == 0 && dash >= 0) throw Bad(text, $"{what} range cannot start at 0");
        return (start, end);
    }

    private static int Port(string text, string value, string what, bool allowZero) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= 65535 && (port > 0 || allowZero)
            ? port
            : throw Bad(text, $"invalid {what} '{value}' (1 to 65535)");

    private static PlexusException Bad(string text, string why) => PlexusException.Invalid($"invalid port specification '{text}': {why}");
}
