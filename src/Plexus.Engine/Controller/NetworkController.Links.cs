using System.Globalization;
using Plexus.Engine.Drivers;
using Plexus.Engine.Model;
using Plexus.Engine.Ports;

namespace Plexus.Engine.Controller;

public sealed partial class NetworkController
{
    /// <summary>
    /// How many sandboxes have links. Joins and leaves consult links on every call; with none (the usual
    /// case) that must not cost a scan of every endpoint and sandbox on the attach path.
    /// </summary>
    private int _linkingSandboxes;

    private void Track(Sandboxes.Sandbox sandbox, int delta)
    {
        if (sandbox.State.Links.Count > 0) Interlocked.Add(ref _linkingSandboxes, delta);
    }
    /// <summary>
    /// The link exceptions a network needs: for every joined sandbox that links to another sandbox joined
    /// to the same network, its address may reach the target's address on each port the target exposes.
    /// <paramref name="joining"/> counts as joined (a join in progress).
    /// </summary>
    internal IReadOnlyList<LinkFlow> LinkFlowsOf(NetworkState network, EndpointState? joining = null)
    {
        if (Volatile.Read(ref _linkingSandboxes) == 0) return []; // the common case costs no scan
        var joined = _endpoints.OfNetwork(network.Id).Where(e => e.SandboxId is not null && e.Id != joining?.Id).ToList();
        if (joining is not null) joined.Add(joining);
        var bySandbox = joined.GroupBy(e => e.SandboxId!).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var flows = new List<LinkFlow>();
        foreach (var endpoint in joined)
        {
            if (!_sandboxes.TryGetValue(endpoint.SandboxId!, out var sandbox) || sandbox.State.Links.Count == 0) continue;
            foreach (var link in sandbox.State.Links)
            {
                var target = _sandboxNames.GetValueOrDefault(link.Target);
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

    /// <summary>
    /// The sandbox's links resolved to addresses: each target's address on a network both are joined to
    /// (else its first address), for the hosts file and the link environment.
    /// </summary>
    internal IReadOnlyList<Sandboxes.LinkedHost> LinkedHostsOf(Sandboxes.Sandbox sandbox)
    {
        if (sandbox.State.Links.Count == 0) return [];
        var mine = EndpointsOf(sandbox).Select(e => e.NetworkId).ToHashSet(StringComparer.Ordinal);
        var result = new List<Sandboxes.LinkedHost>();
        foreach (var link in sandbox.State.Links)
        {
            var target = _sandboxNames.GetValueOrDefault(link.Target);
            if (target is null) continue;
            var endpoints = EndpointsOf(target).Where(e => e.IPv4 is not null).ToList();
            var endpoint = endpoints.FirstOrDefault(e => mine.Contains(e.NetworkId)) ?? endpoints.FirstOrDefault();
            if (endpoint?.IPv4 is { } address)
                result.Add(new Sandboxes.LinkedHost(link.Alias, target.Name, address.Address, endpoint.ExposedPorts));
        }
        return result;
    }

    /// <summary>Rewrites the files of the sandbox and of every sandbox that links to it (its address may have changed).</summary>
    private void RefreshFiles(Sandboxes.Sandbox sandbox)
    {
        TryUndo(() => WriteFiles(sandbox));
        if (Volatile.Read(ref _linkingSandboxes) == 0) return;
        foreach (var linker in _sandboxes.Values.Where(s => s.State.Links.Any(l => l.Target == sandbox.Name)))
            TryUndo(() => WriteFiles(linker));
    }

    /// <summary>
    /// Docker's link environment for processes started in the sandbox: for alias srv and exposed 80/tcp,
    /// SRV_NAME=/client/srv, SRV_PORT=tcp://IP:80, SRV_PORT_80_TCP=tcp://IP:80, SRV_PORT_80_TCP_ADDR=IP,
    /// SRV_PORT_80_TCP_PORT=80, SRV_PORT_80_TCP_PROTO=tcp.
    /// </summary>
    public IReadOnlyDictionary<string, string> LinkEnvironment(Sandboxes.Sandbox sandbox)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var link in LinkedHostsOf(sandbox))
        {
            var prefix = link.Alias.ToUpperInvariant().Replace('-', '_').Replace('.', '_');
            env[$"{prefix}_NAME"] = $"/{sandbox.Name}/{link.Alias}";
            var ports = link.ExposedPorts.Select(ParseExposed).OrderBy(p => p.Item2).ToList();
            for (int i = 0; i < ports.Count; i++)
            {
                var (protocol, port) = ports[i];
                var proto = protocol.ToString().ToLowerInvariant();
                var key = $"{prefix}_PORT_{port}_{proto.ToUpperInvariant()}";
                var url = $"{proto}://{link.Address}:{port}";
                if (i == 0) env[$"{prefix}_PORT"] = url;
                env[key] = url;
                env[$"{key}_ADDR"] = link.Address.ToString();
                env[$"{key}_PORT"] = port.ToString(CultureInfo.InvariantCulture);
                env[$"{key}_PROTO"] = proto;
            }
        }
        return env;
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
