using Plexus.Graph.Model;

namespace Plexus.Graph.Writers;

/// <summary>
/// The drawing's structure, worked out once from a topology so that every format draws the same
/// things with the same ids in the same order: networks by name, sandboxes by name, each sandbox in
/// the cluster of its first network (grouped by host when there are several), entry points by port.
/// Ids are positions in that order (n0, s0, p0, i0), never names, so no name needs escaping in an id
/// and the output depends only on the topology.
/// </summary>
internal sealed class GraphPlan
{
    private GraphPlan(Topology topology) => Topology = topology;

    public Topology Topology { get; }

    public List<PlannedNetwork> Networks { get; } = [];

    /// <summary>Sandboxes with no interface on a network of the picture.</summary>
    public List<PlannedSandbox> Unattached { get; } = [];

    public List<PlannedSandbox> Sandboxes { get; } = [];

    /// <summary>Host addresses and ports the outside world can reach, each drawn once.</summary>
    public List<PlannedEntry> Entries { get; } = [];

    /// <summary>Each interface joined to its network.</summary>
    public List<PlannedAttachment> Attachments { get; } = [];

    /// <summary>Each published port: from its entry point to the interface it reaches.</summary>
    public List<PlannedPublish> Publishes { get; } = [];

    public List<PlannedLink> Links { get; } = [];

    public bool ShowsHosts => Topology.ShowsHosts;

    /// <summary>The outside world is drawn when something reaches it (masquerade) or comes in from it (ports).</summary>
    public bool HasOutside => Entries.Count > 0 || Networks.Any(n => n.Network.Masquerade);

    public static GraphPlan Of(Topology topology)
    {
        ArgumentNullException.ThrowIfNull(topology);
        var plan = new GraphPlan(topology);
        var networks = new Dictionary<string, PlannedNetwork>(StringComparer.Ordinal);
        foreach (var network in topology.Networks.OrderBy(n => n.Name, StringComparer.Ordinal).ThenBy(n => n.Id, StringComparer.Ordinal))
        {
            if (networks.ContainsKey(network.Id)) continue;
            var planned = new PlannedNetwork($"n{plan.Networks.Count}", network);
            networks[network.Id] = planned;
            plan.Networks.Add(planned);
        }

        var sandboxes = new Dictionary<string, PlannedSandbox>(StringComparer.Ordinal);
        foreach (var sandbox in topology.Sandboxes.OrderBy(s => s.Name, StringComparer.Ordinal).ThenBy(s => s.Id, StringComparer.Ordinal))
        {
            if (sandboxes.ContainsKey(sandbox.Id)) continue;
            var interfaces = sandbox.Interfaces
                .Where(i => networks.ContainsKey(i.NetworkId))
                .Select((i, index) => new PlannedInterface($"i{index}", i, networks[i.NetworkId]))
                .ToList();
            var planned = new PlannedSandbox(plan.Sandboxes.Count, sandbox, interfaces, interfaces.FirstOrDefault()?.Network);
            sandboxes[sandbox.Id] = planned;
            plan.Sandboxes.Add(planned);
            if (planned.Home is { } home) home.Members.Add(planned);
            else plan.Unattached.Add(planned);
            foreach (var i in interfaces) plan.Attachments.Add(new PlannedAttachment(i.Network, planned, i));
        }

        foreach (var network in plan.Networks)
        {
            var hosts = plan.ShowsHosts
                ? network.Members.GroupBy(m => m.Sandbox.Host, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
                : network.Members.GroupBy(_ => "");
            foreach (var group in hosts) network.Groups.Add(new PlannedGroup(group.Key, [.. group]));
        }

        // Entry points by host, then port, protocol and address: where a reader looks for "who has 8080".
        var published = plan.Sandboxes
            .SelectMany(s => s.Interfaces.SelectMany(i => i.Interface.Published.Select(p => (Sandbox: s, Interface: i, Port: p))))
            .OrderBy(x => plan.ShowsHosts ? x.Sandbox.Sandbox.Host : "", StringComparer.Ordinal)
            .ThenBy(x => x.Port.HostPort)
            .ThenBy(x => x.Port.Protocol, StringComparer.Ordinal)
            .ThenBy(x => x.Port.HostIP, StringComparer.Ordinal)
            .ThenBy(x => x.Port.ContainerPort)
            .ThenBy(x => x.Sandbox.NodeId, StringComparer.Ordinal)
            .ToList();
        var entries = new Dictionary<(string, string), PlannedEntry>();
        foreach (var (sandbox, iface, port) in published)
        {
            var host = plan.ShowsHosts ? sandbox.Sandbox.Host : "";
            if (!entries.TryGetValue((host, port.EntryPoint), out var entry))
            {
                entry = new PlannedEntry($"p{entries.Count}", host, port.EntryPoint);
                entries[(host, port.EntryPoint)] = entry;
                plan.Entries.Add(entry);
            }
            plan.Publishes.Add(new PlannedPublish(entry, sandbox, iface, port));
        }

        foreach (var link in topology.Links)
        {
            if (sandboxes.TryGetValue(link.FromSandboxId, out var from) && sandboxes.TryGetValue(link.ToSandboxId, out var to))
                plan.Links.Add(new PlannedLink(from, to, link.Alias));
        }
        plan.Links.Sort((a, b) => (a.From.Index, a.To.Index, a.Alias).CompareTo((b.From.Index, b.To.Index, b.Alias)));
        return plan;
    }
}

internal sealed record PlannedNetwork(string NodeId, TopologyNetwork Network)
{
    /// <summary>Sandboxes whose first interface is on this network, in name order.</summary>
    public List<PlannedSandbox> Members { get; } = [];

    /// <summary>Members by host (one group, named "", when hosts are not shown).</summary>
    public List<PlannedGroup> Groups { get; } = [];
}

internal sealed record PlannedGroup(string Host, IReadOnlyList<PlannedSandbox> Members);

/// <summary>A sandbox at position <see cref="Index"/> in name order; drawn in the cluster of <see cref="Home"/>.</summary>
internal sealed record PlannedSandbox(int Index, TopologySandbox Sandbox, IReadOnlyList<PlannedInterface> Interfaces, PlannedNetwork? Home)
{
    public string NodeId => "s" + Index.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

internal sealed record PlannedInterface(string PortId, TopologyInterface Interface, PlannedNetwork Network);

internal sealed record PlannedEntry(string PortId, string Host, string Text);

internal sealed record PlannedAttachment(PlannedNetwork Network, PlannedSandbox Sandbox, PlannedInterface Interface);

internal sealed record PlannedPublish(PlannedEntry Entry, PlannedSandbox Sandbox, PlannedInterface Interface, TopologyPort Port);

internal sealed record PlannedLink(PlannedSandbox From, PlannedSandbox To, string Alias);
