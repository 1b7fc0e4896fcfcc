using System.Text;
using Plexus.Graph.Model;

namespace Plexus.Graph.Writers;

/// <summary>
/// The topology as a Mermaid flowchart (left to right), for Markdown that renders Mermaid: a subgraph
/// per network holding a node with its facts and its sandboxes (a subgraph per host inside when there
/// are several hosts), interfaces as lines from the network to the sandbox, published ports as
/// labelled arrows from the outside world, masquerade and links dotted. Same ids and order as the
/// DOT output (<see cref="GraphPlan"/>).
/// </summary>
public static class MermaidWriter
{
    public static string Write(Topology topology)
    {
        var plan = GraphPlan.Of(topology);
        var w = new StringBuilder();
        w.Append("flowchart LR\n");
        w.Append("  classDef network fill:#dce9fb,stroke:#4a78b0,color:#000\n");
        w.Append("  classDef sandbox fill:#ffffff,stroke:#333333,color:#000\n");
        w.Append("  classDef outside fill:#fff4e0,stroke:#b87818,color:#000\n");
        if (plan.HasOutside)
        {
            var lines = new List<string> { "<b>outside world</b>" };
            lines.AddRange(plan.Entries.Select(e => MermaidText.Label(plan.ShowsHosts ? $"{e.Host}: {e.Text}" : e.Text)));
            w.Append($"  world[\"{MermaidText.Lines(lines)}\"]:::outside\n");
        }
        foreach (var network in plan.Networks)
        {
            w.Append($"  subgraph net{network.NodeId[1..]}[\"{MermaidText.Label(network.Network.Name)}\"]\n");
            w.Append($"    {network.NodeId}[\"{MermaidText.Lines(Facts(network))}\"]:::network\n");
            for (int g = 0; g < network.Groups.Count; g++)
            {
                var group = network.Groups[g];
                var indent = "    ";
                if (plan.ShowsHosts)
                {
                    w.Append($"    subgraph net{network.NodeId[1..]}_h{g}[\"host {MermaidText.Label(group.Host)}\"]\n");
                    indent = "      ";
                }
                foreach (var sandbox in group.Members) WriteSandbox(w, indent, sandbox);
                if (plan.ShowsHosts) w.Append("    end\n");
            }
            w.Append("  end\n");
        }
        foreach (var sandbox in plan.Unattached) WriteSandbox(w, "  ", sandbox);

        foreach (var network in plan.Networks.Where(n => n.Network.Masquerade))
            w.Append($"  {network.NodeId} -. masquerade .-> world\n");
        foreach (var a in plan.Attachments)
        {
            var label = a.Interface.Interface.Name is { } name ? $"|\"{MermaidText.Label(name)}\"|" : "";
            w.Append($"  {a.Network.NodeId} ---{label} {a.Sandbox.NodeId}\n");
        }
        foreach (var p in plan.Publishes)
            w.Append($"  world -->|\"{MermaidText.Label($"{p.Entry.Text} → {p.Port.Target}")}\"| {p.Sandbox.NodeId}\n");
        foreach (var l in plan.Links)
            w.Append($"  {l.From.NodeId} -.->|\"{MermaidText.Label("link " + l.Alias)}\"| {l.To.NodeId}\n");
        return w.ToString();
    }

    private static List<string> Facts(PlannedNetwork network)
    {
        var n = network.Network;
        var lines = new List<string> { MermaidText.Label($"{n.Driver} · {n.Scope}") };
        foreach (var s in n.Subnets)
        {
            lines.Add(MermaidText.Label("subnet " + s.Subnet));
            if (s.IPRange is { } range) lines.Add(MermaidText.Label("range " + range));
            if (s.Gateway is { } gateway) lines.Add(MermaidText.Label("gateway " + gateway));
        }
        if (n.Bridge is { } bridge) lines.Add(MermaidText.Label("bridge " + bridge));
        if (!n.Icc) lines.Add("icc off");
        if (n.Internal) lines.Add("internal");
        return lines;
    }

    private static void WriteSandbox(StringBuilder w, string indent, PlannedSandbox sandbox)
    {
        var s = sandbox.Sandbox;
        var lines = new List<string> { $"<b>{MermaidText.Label(s.Name)}</b>" };
        bool several = sandbox.Interfaces.Select(i => i.Network).Distinct().Count() > 1;
        foreach (var planned in sandbox.Interfaces)
        {
            var i = planned.Interface;
            var parts = new List<string>();
            if (i.Name is null) parts.Add(i.Note ?? "no interface");
            else parts.AddRange(new[] { i.Name, i.IPv4, i.IPv6, i.Mac }.Where(p => p is not null)!);
            if (several) parts.Add("on " + planned.Network.Network.Name);
            if (i.Aliases.Count > 0) parts.Add("aka " + string.Join(", ", i.Aliases));
            lines.Add(MermaidText.Label(string.Join(" ", parts)));
        }
        if (sandbox.Interfaces.Count == 0) lines.Add("no network");
        if (s.Exposed.Count > 0) lines.Add(MermaidText.Label("exposes " + string.Join(", ", s.Exposed)));
        w.Append($"{indent}{sandbox.NodeId}[\"{MermaidText.Lines(lines)}\"]:::sandbox\n");
    }
}
