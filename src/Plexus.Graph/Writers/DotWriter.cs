using System.Globalization;
using System.Text;
using Plexus.Graph.Model;

namespace Plexus.Graph.Writers;

/// <summary>
/// The topology as a Graphviz DOT graph, left to right: the outside world (its entry points, one row
/// each), then one cluster per network holding a node with the network's facts and its sandboxes, each
/// sandbox a table with a row per interface. Lines join interfaces to their networks; published ports
/// run from their entry point to the interface, labelled with the port they reach; links are dotted.
/// A network with many sandboxes lays them out in a grid and lets the cluster say who is on it, so
/// 200 sandboxes stay readable. Deterministic: same topology, same bytes.
/// </summary>
public static class DotWriter
{
    /// <summary>Above this many sandboxes in one cluster (or host group), they are laid out in a grid.</summary>
    public const int GridAbove = 12;

    private const string Font = "Helvetica,Arial,sans-serif";

    // Addresses, MACs and bridge names in a monospace face: Graphviz measures it the same way every
    // SVG viewer draws it, so columns never overflow their boxes.
    private const string Mono = "monospace";

    private const string NetworkFill = "#eef4fc";
    private const string NetworkLine = "#4a78b0";
    private const string HeadFill = "#dce9fb";
    private const string SandboxHeadFill = "#e8e8e8";
    private const string Dim = "#6a6a6a";
    private const string Warning = "#b03030";
    private const string OutsideFill = "#fff4e0";
    private const string OutsideLine = "#b87818";
    private const string LinkColour = "#1f7a3d";
    private const string HostLine = "#8a8a8a";

    public static string Write(Topology topology)
    {
        var plan = GraphPlan.Of(topology);
        var w = new StringBuilder();
        w.Append("digraph plexus {\n");
        w.Append($"  graph [rankdir=LR, fontname=\"{Font}\", fontsize=12, nodesep=0.2, ranksep=0.7, newrank=true, pad=0.3, bgcolor=\"white\"];\n");
        w.Append($"  node [fontname=\"{Font}\", fontsize=10, shape=plaintext, margin=0];\n");
        w.Append($"  edge [fontname=\"{Font}\", fontsize=9, color=\"#555555\", arrowsize=0.7];\n");

        if (plan.HasOutside) WriteOutside(w, plan);
        foreach (var network in plan.Networks) WriteCluster(w, plan, network);
        foreach (var sandbox in plan.Unattached) WriteSandbox(w, "  ", sandbox);

        foreach (var network in plan.Networks.Where(n => n.Network.Masquerade))
            w.Append($"  world -> {network.NodeId} [dir=back, style=dashed, color=\"{OutsideLine}\", fontcolor=\"{OutsideLine}\", label=\"masquerade\"];\n");
        foreach (var a in plan.Attachments)
        {
            // In a grid the cluster already says who is on the network; only other networks' lines are drawn.
            if (a.Network == a.Sandbox.Home && IsGrid(a.Network, a.Sandbox.Sandbox.Host, plan)) continue;
            w.Append($"  {a.Network.NodeId} -> {a.Sandbox.NodeId}:{a.Interface.PortId}:w [arrowhead=none{(a.Network == a.Sandbox.Home ? "" : ", style=dashed")}];\n");
        }
        foreach (var p in plan.Publishes)
            w.Append($"  world:{p.Entry.PortId}:e -> {p.Sandbox.NodeId}:{p.Interface.PortId}:w [color=\"{OutsideLine}\", fontcolor=\"{OutsideLine}\", penwidth=1.4, label={DotText.Quoted($"{p.Port.HostPort.ToString(CultureInfo.InvariantCulture)} → {p.Port.Target}")}];\n");
        // Links do not shape the layout (constraint=false); their label is placed after it, clear of other labels (xlabel).
        foreach (var l in plan.Links)
            w.Append($"  {l.From.NodeId} -> {l.To.NodeId} [style=dotted, color=\"{LinkColour}\", fontcolor=\"{LinkColour}\", constraint=false, xlabel={DotText.Quoted("link " + l.Alias)}];\n");
        w.Append("}\n");
        return w.ToString();
    }

    private static bool IsGrid(PlannedNetwork network, string host, GraphPlan plan) =>
        network.Groups.FirstOrDefault(g => !plan.ShowsHosts || g.Host == host)?.Members.Count > GridAbove;

    private static void WriteOutside(StringBuilder w, GraphPlan plan)
    {
        w.Append("  world [label=<<TABLE BORDER=\"1\" CELLBORDER=\"0\" CELLSPACING=\"0\" CELLPADDING=\"4\"")
            .Append($" BGCOLOR=\"{OutsideFill}\" COLOR=\"{OutsideLine}\">\n");
        w.Append("    <TR><TD><B>outside world</B></TD></TR>\n");
        string? host = null;
        foreach (var entry in plan.Entries)
        {
            if (plan.ShowsHosts && entry.Host != host)
            {
                host = entry.Host;
                w.Append($"    <TR><TD ALIGN=\"LEFT\">{Styled("on host " + DotText.Html(host), colour: Dim)}</TD></TR>\n");
            }
            w.Append($"    <TR><TD ALIGN=\"LEFT\" PORT=\"{entry.PortId}\">{Styled(DotText.Html(entry.Text), face: Mono)}</TD></TR>\n");
        }
        w.Append("  </TABLE>>];\n");
    }

    private static void WriteCluster(StringBuilder w, GraphPlan plan, PlannedNetwork network)
    {
        var n = network.Network;
        w.Append($"  subgraph cluster_{network.NodeId} {{\n");
        w.Append($"    label=<<B>{DotText.Html(n.Name)}</B>>; style=\"rounded,filled\"; fillcolor=\"{NetworkFill}\"; color=\"{NetworkLine}\"; fontsize=13;\n");
        WriteHead(w, network);
        foreach (var group in network.Groups)
        {
            var indent = "    ";
            if (plan.ShowsHosts)
            {
                w.Append($"    subgraph cluster_{network.NodeId}_h{network.Groups.IndexOf(group).ToString(CultureInfo.InvariantCulture)} {{\n");
                w.Append($"      label=<host <B>{DotText.Html(group.Host)}</B>>; style=\"rounded,dashed\"; color=\"{HostLine}\"; fontsize=11;\n");
                indent = "      ";
            }
            foreach (var sandbox in group.Members) WriteSandbox(w, indent, sandbox);
            if (group.Members.Count > GridAbove) WriteGrid(w, indent, network, group.Members);
            if (plan.ShowsHosts) w.Append("    }\n");
        }
        w.Append("  }\n");
    }

    /// <summary>
    /// Many sandboxes in columns of about √n (left to right, a rank is a column): invisible edges from
    /// each sandbox to the one a column further on, and from the network to the first column.
    /// </summary>
    private static void WriteGrid(StringBuilder w, string indent, PlannedNetwork network, IReadOnlyList<PlannedSandbox> members)
    {
        int rows = Math.Max(GridAbove, (int)Math.Ceiling(Math.Sqrt(members.Count * 2.0)));
        for (int i = 0; i < members.Count; i++)
        {
            var from = i < rows ? network.NodeId : members[i - rows].NodeId;
            w.Append($"{indent}{from} -> {members[i].NodeId} [style=invis];\n");
        }
    }

    private static void WriteHead(StringBuilder w, PlannedNetwork network)
    {
        var n = network.Network;
        w.Append($"    {network.NodeId} [label=<<TABLE BORDER=\"1\" CELLBORDER=\"0\" CELLSPACING=\"0\" CELLPADDING=\"3\" BGCOLOR=\"{HeadFill}\" COLOR=\"{NetworkLine}\">\n");
        Fact(w, "driver", $"{DotText.Html(n.Driver)} · {DotText.Html(n.Scope)}", mono: false);
        foreach (var s in n.Subnets)
        {
            Fact(w, "subnet", DotText.Html(s.Subnet), mono: true);
            if (s.IPRange is { } range) Fact(w, "range", DotText.Html(range), mono: true);
            if (s.Gateway is { } gateway) Fact(w, "gateway", DotText.Html(gateway), mono: true);
        }
        if (n.Bridge is { } bridge) Fact(w, "bridge", DotText.Html(bridge), mono: true);
        var flags = new List<string>();
        if (!n.Icc) flags.Add("icc off");
        if (n.Internal) flags.Add("internal");
        if (flags.Count > 0)
            w.Append($"      <TR><TD ALIGN=\"LEFT\" COLSPAN=\"2\">{Styled(string.Join(", ", flags), colour: Warning)}</TD></TR>\n");
        if (network.Members.Count > GridAbove)
            w.Append($"      <TR><TD ALIGN=\"LEFT\" COLSPAN=\"2\">{Styled(network.Members.Count.ToString(CultureInfo.InvariantCulture) + " sandboxes", colour: Dim)}</TD></TR>\n");
        w.Append("    </TABLE>>];\n");
    }

    private static void Fact(StringBuilder w, string name, string html, bool mono) =>
        w.Append($"      <TR><TD ALIGN=\"LEFT\">{Styled(name, colour: Dim)}</TD><TD ALIGN=\"LEFT\">{(mono ? Styled(html, face: Mono) : html)}</TD></TR>\n");

    /// <summary>Text in a face and colour. Graphviz rejects an empty FONT element, so empty text stays empty.</summary>
    private static string Styled(string html, string? face = null, string? colour = null)
    {
        if (html.Length == 0 || (face is null && colour is null)) return html;
        return $"<FONT{(face is null ? "" : $" FACE=\"{face}\"")}{(colour is null ? "" : $" COLOR=\"{colour}\"")}>{html}</FONT>";
    }

    private static void WriteSandbox(StringBuilder w, string indent, PlannedSandbox sandbox)
    {
        var s = sandbox.Sandbox;
        bool several = sandbox.Interfaces.Select(i => i.Network).Distinct().Count() > 1;
        w.Append($"{indent}{sandbox.NodeId} [label=<<TABLE BORDER=\"1\" CELLBORDER=\"0\" CELLSPACING=\"0\" CELLPADDING=\"3\" BGCOLOR=\"white\">\n");
        w.Append($"{indent}  <TR><TD COLSPAN=\"4\" BGCOLOR=\"{SandboxHeadFill}\"><B>{DotText.Html(s.Name)}</B></TD></TR>\n");
        foreach (var planned in sandbox.Interfaces)
        {
            var i = planned.Interface;
            var notes = new List<string>();
            if (several) notes.Add("on " + DotText.Html(planned.Network.Network.Name));
            if (i.Aliases.Count > 0) notes.Add("aka " + DotText.Html(string.Join(", ", i.Aliases)));
            w.Append($"{indent}  <TR><TD ALIGN=\"LEFT\" PORT=\"{planned.PortId}\">{(i.Name is { } name ? DotText.Html(name) : "–")}</TD>");
            if (i.Name is null)
            {
                w.Append($"<TD ALIGN=\"LEFT\" COLSPAN=\"2\">{Styled(DotText.Html(i.Note ?? "no interface"), colour: Dim)}</TD>");
            }
            else
            {
                var addresses = string.Join("<BR/>", new[] { i.IPv4, i.IPv6 }.Where(a => a is not null).Select(a => DotText.Html(a!)));
                w.Append($"<TD ALIGN=\"LEFT\" BALIGN=\"LEFT\">{Styled(addresses, face: Mono)}</TD>");
                w.Append($"<TD ALIGN=\"LEFT\">{Styled(DotText.Html(i.Mac ?? ""), face: Mono, colour: Dim)}</TD>");
            }
            w.Append($"<TD ALIGN=\"LEFT\">{Styled(string.Join("; ", notes), colour: Dim)}</TD></TR>\n");
        }
        if (sandbox.Interfaces.Count == 0)
            w.Append($"{indent}  <TR><TD COLSPAN=\"4\" ALIGN=\"LEFT\">{Styled("no network", colour: Dim)}</TD></TR>\n");
        if (s.Exposed.Count > 0)
            w.Append($"{indent}  <TR><TD COLSPAN=\"4\" ALIGN=\"LEFT\">{Styled("exposes " + DotText.Html(string.Join(", ", s.Exposed)), colour: Dim)}</TD></TR>\n");
        w.Append($"{indent}</TABLE>>];\n");
    }
}
