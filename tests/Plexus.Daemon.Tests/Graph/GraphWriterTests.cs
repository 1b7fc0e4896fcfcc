using Plexus.Graph.Model;
using Plexus.Graph.Writers;

namespace Plexus.Daemon.Tests.Graph;

/// <summary>The DOT and Mermaid writers on fixed topologies: golden output, independent of input order, escaped.</summary>
public sealed class GraphWriterTests
{
    public static TheoryData<string> Fixtures => ["mixed", "awkward", "two-hosts"];

    private static Topology Fixture(string name) => name switch
    {
        "mixed" => Topologies.Mixed(),
        "awkward" => Topologies.Awkward(),
        "two-hosts" => Topologies.TwoHosts(),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Dot_matches_its_golden_file(string fixture) => Golden.Check($"{fixture}.dot", DotWriter.Write(Fixture(fixture)));

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Mermaid_matches_its_golden_file(string fixture) => Golden.Check($"{fixture}.mmd", MermaidWriter.Write(Fixture(fixture)));

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void The_output_does_not_depend_on_the_order_things_were_read_in(string fixture)
    {
        var topology = Fixture(fixture);
        var reversed = topology with
        {
            Hosts = topology.Hosts.Reverse().ToList(),
            Networks = topology.Networks.Reverse().ToList(),
            Sandboxes = topology.Sandboxes.Reverse().ToList(),
            Links = topology.Links.Reverse().ToList(),
        };
        Assert.Equal(DotWriter.Write(topology), DotWriter.Write(reversed));
        Assert.Equal(MermaidWriter.Write(topology), MermaidWriter.Write(reversed));
    }

    [Fact]
    public void Hosts_are_drawn_only_when_there_are_several()
    {
        Assert.DoesNotContain("host <B>", DotWriter.Write(Topologies.Mixed()), StringComparison.Ordinal);
        var two = DotWriter.Write(Topologies.TwoHosts());
        Assert.Contains("host <B>host-a</B>", two, StringComparison.Ordinal);
        Assert.Contains("host <B>host-b</B>", two, StringComparison.Ordinal);
        Assert.Contains("subgraph net1_h1[\"host host-b\"]", MermaidWriter.Write(Topologies.TwoHosts()), StringComparison.Ordinal);
    }

    [Fact]
    public void A_crowded_network_is_laid_out_in_a_grid_and_says_how_many_it_holds()
    {
        var dot = DotWriter.Write(Topologies.Large(200));
        Assert.Contains("150 sandboxes", dot, StringComparison.Ordinal);
        Assert.Contains("[style=invis]", dot, StringComparison.Ordinal);
        // The small network (10 sandboxes) keeps a line to each; the crowded ones let the cluster say it.
        Assert.Equal(10, dot.Split('\n').Count(l => l.StartsWith("  n2 -> ", StringComparison.Ordinal) && l.Contains("arrowhead=none", StringComparison.Ordinal)));
        Assert.DoesNotContain(dot.Split('\n'), l => l.StartsWith("  n0 -> ", StringComparison.Ordinal) && l.Contains("arrowhead=none", StringComparison.Ordinal));
    }

    [Fact]
    public void An_empty_topology_is_still_a_graph()
    {
        Assert.Equal("digraph plexus {", DotWriter.Write(new Topology()).Split('\n')[0]);
        Assert.DoesNotContain("world", DotWriter.Write(new Topology()), StringComparison.Ordinal);
        Assert.Equal("flowchart LR", MermaidWriter.Write(new Topology()).Split('\n')[0]);
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a<b>&\"c'", "a&lt;b&gt;&amp;&quot;c&#39;")]
    [InlineData("café ☕", "café ☕")]
    [InlineData("tab\there", "tab\uFFFDhere")]
    public void Html_labels_escape_markup_and_drop_control_characters(string text, string expected) =>
        Assert.Equal(expected, DotText.Html(text));

    [Theory]
    [InlineData("plain", "\"plain\"")]
    [InlineData("say \"hi\"", "\"say \\\"hi\\\"\"")]
    [InlineData("back\\slash \\N", "\"back\\\\slash \\\\N\"")]
    [InlineData("new\nline", "\"new\uFFFDline\"")]
    public void Quoted_strings_escape_quotes_and_backslashes(string text, string expected) =>
        Assert.Equal(expected, DotText.Quoted(text));

    [Theory]
    [InlineData("plain name", "plain name")]
    [InlineData("\"q\" #1 <b> & c", "#34;q#34; #35;1 #60;b#62; #38; c")]
    [InlineData("a|b ☕", "a|b ☕")]
    public void Mermaid_labels_write_special_characters_as_entity_codes(string text, string expected) =>
        Assert.Equal(expected, MermaidText.Label(text));
}
