using Plexus.Engine.Controller;
using Plexus.Engine.Drivers.Bridge;
using Plexus.Engine.Model;
using Plexus.Engine.Sandboxes;
using Plexus.Graph.Model;

namespace Plexus.Graph.Reading;

/// <summary>
/// Builds the picture's <see cref="Topology"/> from what the controller holds, through its public API
/// only, at the moment of the request. Keeps nothing: every picture is read afresh. Objects still being
/// created (pending) are left out; a sandbox removed while the picture is read simply drops out of it.
/// </summary>
public static class TopologyReader
{
    /// <param name="controller">The engine.</param>
    /// <param name="networks">Names or ids to draw; none draws every network, except <paramref name="hiddenWhenEmpty"/> ones that hold no sandbox.</param>
    /// <param name="hiddenWhenEmpty">Networks that are noise when empty (the predefined bridge, host and none).</param>
    /// <param name="hostName">This host's name in the picture; the machine's name when null.</param>
    /// <exception cref="PlexusException">A named network does not exist (NotFound).</exception>
    public static Topology Read(NetworkController controller, IReadOnlyCollection<string> networks,
        IReadOnlySet<string>? hiddenWhenEmpty = null, string? hostName = null)
    {
        ArgumentNullException.ThrowIfNull(controller);
        ArgumentNullException.ThrowIfNull(networks);
        var host = hostName ?? Environment.MachineName;

        var selected = networks.Count > 0
            ? networks.Select(controller.GetNetwork).DistinctBy(n => n.Id).ToList()
            : controller.Networks.Where(n => !(hiddenWhenEmpty?.Contains(n.Name) == true && !controller.EndpointsOf(n).Any(e => e.SandboxId is not null))).ToList();
        selected.RemoveAll(n => n.Pending);
        var byId = selected.ToDictionary(n => n.Id, StringComparer.Ordinal);

        var sandboxes = new List<TopologySandbox>();
        var drawn = new Dictionary<string, Sandbox>(StringComparer.Ordinal);
        foreach (var sandbox in controller.Sandboxes)
        {
            if (sandbox.State.Pending) continue;
            var endpoints = controller.EndpointsOf(sandbox).Where(e => !e.Pending && byId.ContainsKey(e.NetworkId)).ToList();
            // Asked for particular networks: only their sandboxes. Otherwise everyone, even unattached.
            if (networks.Count > 0 && endpoints.Count == 0) continue;
            drawn[sandbox.Id] = sandbox;
            sandboxes.Add(new TopologySandbox
            {
                Id = sandbox.Id,
                Name = sandbox.Name,
                Host = host,
                Interfaces = endpoints.Select(e => Interface(e, sandbox)).ToList(),
                Exposed = endpoints.SelectMany(e => e.ExposedPorts).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList(),
            });
        }

        // Links name their target; drawn only when both ends are in the picture.
        var byName = drawn.Values.ToDictionary(s => s.Name, StringComparer.Ordinal);
        var links = new List<TopologyLink>();
        foreach (var sandbox in drawn.Values)
        {
            foreach (var link in sandbox.State.Links)
            {
                if (byName.TryGetValue(link.Target, out var target)) links.Add(new TopologyLink(sandbox.Id, target.Id, link.Alias));
            }
        }

        return new Topology
        {
            Hosts = [new TopologyHost(host)],
            Networks = selected.Select(n => Network(n, controller)).ToList(),
            Sandboxes = sandboxes,
            Links = links,
        };
    }

    private static TopologyNetwork Network(NetworkState n, NetworkController controller)
    {
        // A network whose driver state names its bridge is the bridge driver's (whatever the driver is called):
        // what that driver makes of the options (with the daemon's --icc and --ip-masq defaults).
        BridgeOptions? bridge = null;
        bool bridged = n.DriverState.TryGetValue(BridgeDriver.StateBridge, out var name);
        if (bridged)
        {
            try
            {
                bridge = BridgeOptions.Parse(n, controller.Options.BridgeDefaults);
            }
            catch (PlexusException)
            {
                // options the driver refused at creation never get this far; draw the rest regardless
            }
        }
        return new TopologyNetwork
        {
            Id = n.Id,
            Name = n.Name,
            Driver = n.Driver,
            // Every driver today is local to this host; global networks (the overlay) will say "global".
            Scope = "local",
            Subnets = n.Subnets.Select(s => new TopologySubnet(s.Subnet.ToString(), s.Gateway.ToString(), s.IPRange?.ToString())).ToList(),
            Bridge = bridged ? name : null,
            Icc = bridge?.Icc ?? true,
            Internal = n.Internal,
            Masquerade = bridge is { IPMasquerade: true } && !n.Internal,
        };
    }

    private static TopologyInterface Interface(EndpointState e, Sandbox sandbox)
    {
        // Drivers that make no interface (host, null) leave the endpoint without address or MAC.
        bool hasInterface = e.IPv4 is not null || e.IPv6 is not null || e.Mac is not null;
        return new TopologyInterface
        {
            NetworkId = e.NetworkId,
            Name = hasInterface ? e.InterfaceName : null,
            Note = hasInterface ? null : sandbox.IsHostNamespace ? "host's network stack" : "loopback only",
            IPv4 = e.IPv4?.ToString(),
            IPv6 = e.IPv6?.ToString(),
            Mac = e.Mac?.ToString(),
            Aliases = e.Aliases.ToList(),
            Published = e.PortBindings
                .Select(b => new TopologyPort(b.ProtocolName, b.HostIP?.ToString() ?? "0.0.0.0", b.HostPort, b.ContainerPort))
                .ToList(),
        };
    }
}
