using System.Globalization;
using Plexus.Engine.Drivers;
using Plexus.Engine.Model;
using Plexus.Engine.Ports;

namespace Plexus.Engine.Controller;

public sealed partial class NetworkController
{
    /// <summary>
    /// The link exceptions a network needs: for every joined sandbox that links to another sandbox joined
    /// to the same network, its address may reach the target's address on each port the target exposes.
    /// <paramref name="joining"/> counts as joined (a join in progress).
    /// </summary>
    internal IReadOnlyList<LinkFlow> LinkFlowsOf(NetworkState network, EndpointState? joining = null)
    {
        var joined = _endpoints.Values.Where(e => e.NetworkId == network.Id && e.SandboxId is not null && e.Id != joining?.Id).ToList();
        if (joining is not null) joined.Add(joining);
        var bySandbox = joined.GroupBy(e => e.SandboxId!).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var flows = new List<LinkFlow>();
        foreach (var endpoint in joined)
        {
            if (!_sandboxes.TryGetValue(endpoint.SandboxId!, out var sandbox) || sandbox.State.Links.Count == 0) continue;
            foreach (var link in sandbox.State.Links)
            {
                var target = _sandboxes.Values.FirstOrDefault(t => t.Name == link.Target);
                if (target is null || !bySandbox.TryGetValue(target.Id, out var targetEndpoint)) continue;
                foreach (var (protocol, port) in targetEndpoint.ExposedPorts.Select(ParseExposed))
                {
                    if (endpoint.IPv4 is { } from4 && targetEndpoint.IPv4 is { } to4)
                        flows.Add(new LinkFlow(from4.Address, to4.Address, protocol, port));
                    if (endpoint.IPv6 is { } from6 && targetEndpoint.IPv6 is { } to6)
                        flows.Add(new LinkFlow(from6.Address, to6.Address, protocol, port));
                }
            }
        }
        return flows;
    }

    /// <summary>"80/tcp" (as stored in ExposedPorts).</summary>
    private static (PortProtocol, int) ParseExposed(string exposed)
    {
        var slash = exposed.IndexOf('/', StringComparison.Ordinal);
        var port = int.Parse(slash < 0 ? exposed : exposed[..slash], CultureInfo.InvariantCulture);
        var protocol = slash < 0 ? "tcp" : exposed[(slash + 1)..];
        return (protocol switch { "udp" => PortProtocol.Udp, "sctp" => PortProtocol.Sctp, _ => PortProtocol.Tcp }, port);
    }
}
