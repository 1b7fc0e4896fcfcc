using Plexus.Graph.Model;
using Plexus.Graph.Rendering;
using Plexus.Graph.Writers;

namespace Plexus.Daemon.Tests.Graph;

/// <summary>SVG through the real Graphviz (installed by scripts/setup.sh), checked as a reader would: XML, words, boxes, PNG.</summary>
public sealed class GraphvizTests
{
    private static Task<string> Svg(Topology topology) => new Graphviz().RenderSvgAsync(DotWriter.Write(topology), CancellationToken.None);

    [Fact]
    public async Task The_svg_is_xml_that_shows_every_network_sandbox_address_and_port_and_renders_to_png()
    {
        var topology = Topologies.Mixed();
        var svg = await Svg(topology);
        var texts = Graph.Svg.Texts(Graph.Svg.Parse(svg));
        var all = string.Join("\n", texts);
        foreach (var network in topology.Networks) Assert.Contains(network.Name, texts);
        foreach (var sandbox in topology.Sandboxes) Assert.Contains(sandbox.Name, texts);
        foreach (var i in topology.Sandboxes.SelectMany(s => s.Interfaces))
        {
            foreach (var address in new[] { i.IPv4, i.IPv6, i.Mac }.Where(a => a is not null)) Assert.Contains(address!, texts);
            foreach (var port in i.Published)
            {
                Assert.Contains(port.EntryPoint, texts);
                Assert.Contains($"{port.HostPort} → {port.Target}", texts);
            }
        }
        Assert.Contains("link srv", texts);
        Assert.Contains("icc off", all, StringComparison.Ordinal);
        Assert.Contains("internal", all, StringComparison.Ordinal);
        Assert.Contains("masquerade", texts);
        Graph.Svg.RenderPng(svg);
    }

    [Fact]
    public async Task Awkward_names_come_out_exactly_as_written()
    {
        var svg = await Svg(Topologies.Awkward());
        var texts = Graph.Svg.Texts(Graph.Svg.Parse(svg));
        Assert.Contains("my \"net\" <1> & \\ #2", texts);
        Assert.Contains("café ☕ \"q\"", texts);
        Assert.Contains("link l'ink \"1\"", texts);
        Assert.Contains(texts, t => t.Contains("a|b, 日本", StringComparison.Ordinal));
        Graph.Svg.RenderPng(svg);
    }

    [Fact]
    public async Task Two_hundred_sandboxes_render_with_no_box_or_label_on_another()
    {
        var topology = Topologies.Large(200);
        var svg = await Svg(topology);
        var doc = Graph.Svg.Parse(svg);
        var texts = Graph.Svg.Texts(doc);
        foreach (var sandbox in topology.Sandboxes) Assert.Contains(sandbox.Name, texts);

        var nodes = Graph.Svg.NodeBoxes(doc);
        Assert.Equal(topology.Sandboxes.Count + topology.Networks.Count + 1, nodes.Count);
        var boxes = nodes.ToList();
        for (int a = 0; a < boxes.Count; a++)
            for (int b = a + 1; b < boxes.Count; b++)
                Assert.False(boxes[a].Value.Overlaps(boxes[b].Value), $"nodes {boxes[a].Key} and {boxes[b].Key} overlap");

        var labels = Graph.Svg.EdgeLabels(doc);
        Assert.Equal(20, labels.Count(l => l.Text.EndsWith("→ 80/tcp", StringComparison.Ordinal)));
        for (int a = 0; a < labels.Count; a++)
        {
            foreach (var node in boxes)
                Assert.False(labels[a].Box.Overlaps(node.Value), $"label '{labels[a].Text}' lies on node {node.Key}");
            for (int b = a + 1; b < labels.Count; b++)
                Assert.False(labels[a].Box.Overlaps(labels[b].Box), $"labels '{labels[a].Text}' and '{labels[b].Text}' overlap");
        }
        Graph.Svg.RenderPng(svg);
    }

    [Fact]
    public async Task Several_hosts_are_drawn_as_groups_inside_each_network()
    {
        var svg = await Svg(Topologies.TwoHosts());
        var texts = Graph.Svg.Texts(Graph.Svg.Parse(svg));
        // "mesh" spans both hosts: a group for each inside its cluster; entry points say which host they are on.
        Assert.Contains("host-a", texts);
        Assert.Contains("host-b", texts);
        Assert.Contains("on host host-a", texts);
        Assert.Contains("on host host-b", texts);
        Graph.Svg.RenderPng(svg);
    }

    [Fact]
    public async Task Without_dot_the_error_says_to_install_graphviz()
    {
        var missing = new Graphviz(executable: "/nonexistent/dot");
        Assert.Null(missing.Find());
        var e = await Assert.ThrowsAsync<GraphvizMissingException>(() => missing.RenderSvgAsync("digraph { a }", CancellationToken.None));
        Assert.Contains("install the graphviz package", e.Message, StringComparison.Ordinal);
        Assert.Contains("--format dot", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dot_refusing_its_input_is_an_error_that_carries_what_dot_said()
    {
        var e = await Assert.ThrowsAsync<GraphvizException>(() => new Graphviz().RenderSvgAsync("digraph { a -> }", CancellationToken.None));
        Assert.Contains("syntax error", e.Message, StringComparison.Ordinal);
    }
}
