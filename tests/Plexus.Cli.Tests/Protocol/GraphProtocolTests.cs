using Plexus.Cli.Commands;
using Plexus.Cli.Tests.Support;

namespace Plexus.Cli.Tests.Protocol;

/// <summary>`plexus network graph` against a fake daemon: one request, and where the picture goes.</summary>
public sealed class GraphProtocolTests : IDisposable
{
    private const string Path = "/v1.45/plexus/graph";
    private const string SvgBody = "<svg xmlns=\"http://www.w3.org/2000/svg\"><text>web</text></svg>\n";

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("pxc-graph-");

    public void Dispose() => _dir.Delete(recursive: true);

    private static Task<CliResult> Run(FakeDaemon daemon, bool terminal, string? workingDirectory, params string[] args) =>
        PlexusCli.RunAsync(["-H", daemon.Host, .. args], terminal: terminal, workingDirectory: workingDirectory);

    [Fact]
    public async Task Svg_is_asked_for_by_default_and_written_to_a_pipe()
    {
        await using var daemon = await FakeDaemon.StartAsync();
        daemon.On("GET", Path, 200, SvgBody, "image/svg+xml");

        var result = await daemon.RunAsync("network", "graph");

        Assert.Equal((0, SvgBody, ""), (result.ExitCode, result.Out, result.Err));
        var request = Assert.Single(daemon.Requests);
        Assert.Equal(("GET", "?format=svg"), (request.Method, request.Query));
    }

    [Fact]
    public async Task Networks_and_the_format_go_in_the_query_escaped()
    {
        await using var daemon = await FakeDaemon.StartAsync();
        daemon.On("GET", Path, 200, "digraph plexus {}\n", "text/vnd.graphviz");

        var result = await daemon.RunAsync("network", "graph", "--format", "DOT", "web", "my net&co", "café");

        Assert.Equal((0, "digraph plexus {}\n"), (result.ExitCode, result.Out));
        Assert.Equal("/v1.45/plexus/graph?format=dot&network=web&network=my%20net%26co&network=caf%C3%A9", daemon.Requests[0].RawTarget);
    }

    [Fact]
    public async Task On_a_terminal_svg_goes_to_a_file_and_the_command_says_where()
    {
        await using var daemon = await FakeDaemon.StartAsync();
        daemon.On("GET", Path, 200, SvgBody, "image/svg+xml");

        var result = await Run(daemon, terminal: true, _dir.FullName, "network", "graph");

        var file = System.IO.Path.Combine(_dir.FullName, NetworkGraphCommand.TerminalFileName);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(SvgBody, await File.ReadAllTextAsync(file));
        Assert.Contains(file, result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("<svg", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task On_a_terminal_dot_and_mermaid_are_printed_they_are_text_to_read()
    {
        await using var daemon = await FakeDaemon.StartAsync();
        daemon.On("GET", Path, 200, "flowchart LR\n", "text/plain");
        var result = await Run(daemon, terminal: true, _dir.FullName, "network", "graph", "--format", "mermaid");
        Assert.Equal((0, "flowchart LR\n"), (result.ExitCode, result.Out));
        Assert.Empty(_dir.GetFiles());
    }

    [Theory]
    [InlineData("net.svg", "svg")]
    [InlineData("net.dot", "dot")]
    [InlineData("net.gv", "dot")]
    [InlineData("net.mmd", "mermaid")]
    [InlineData("NET.MERMAID", "mermaid")]
    [InlineData("picture", "svg")]
    public async Task Output_files_are_written_quietly_and_their_extension_picks_the_format(string name, string format)
    {
        await using var daemon = await FakeDaemon.StartAsync();
        daemon.On("GET", Path, 200, "picture ☕\n", "text/plain");

        var result = await Run(daemon, terminal: true, _dir.FullName, "network", "graph", "-o", name);

        Assert.Equal((0, "", ""), (result.ExitCode, result.Out, result.Err));
        Assert.Equal($"?format={format}", daemon.Requests[0].Query);
        Assert.Equal("picture ☕\n", await File.ReadAllTextAsync(System.IO.Path.Combine(_dir.FullName, name)));
    }

    [Fact]
    public async Task The_format_flag_wins_over_the_extension_and_dash_is_standard_output()
    {
        await using var daemon = await FakeDaemon.StartAsync();
        daemon.On("GET", Path, 200, SvgBody, "image/svg+xml");
        var result = await Run(daemon, terminal: true, _dir.FullName, "network", "graph", "--format", "svg", "--output", "-");
        Assert.Equal((0, SvgBody), (result.ExitCode, result.Out));
        Assert.Equal("?format=svg", daemon.Requests[0].Query);
        Assert.Empty(_dir.GetFiles());
    }

    [Theory]
    [InlineData("png")]
    [InlineData("")]
    public async Task An_unknown_format_is_a_usage_error_and_nothing_is_asked(string format)
    {
        await using var daemon = await FakeDaemon.StartAsync();
        var result = await daemon.RunAsync("network", "graph", "--format", format);
        Assert.Equal(125, result.ExitCode);
        Assert.Contains($"invalid --format '{format}': use svg, dot, mermaid", result.Err, StringComparison.Ordinal);
        Assert.Empty(daemon.Requests);
    }

    [Fact]
    public async Task A_daemon_without_graphviz_is_reported_as_it_said_and_fails()
    {
        await using var daemon = await FakeDaemon.StartAsync();
        daemon.On("GET", Path, 503, """{"message":"drawing SVG needs Graphviz's 'dot', which is not installed on the daemon's host: install the graphviz package"}""");
        var result = await daemon.RunAsync("network", "graph");
        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.Out);
        Assert.Equal("Error response from daemon: drawing SVG needs Graphviz's 'dot', which is not installed on the daemon's host: install the graphviz package\n", result.Err);
    }

    [Fact]
    public async Task An_unknown_network_fails_with_the_daemons_words_and_writes_no_file()
    {
        await using var daemon = await FakeDaemon.StartAsync();
        daemon.On("GET", Path, 404, """{"message":"network nosuch not found"}""");
        var result = await Run(daemon, terminal: false, _dir.FullName, "network", "graph", "nosuch", "-o", "x.svg");
        Assert.Equal((1, "Error response from daemon: network nosuch not found\n"), (result.ExitCode, result.Err));
        Assert.Empty(_dir.GetFiles());
    }

    [Fact]
    public async Task A_file_that_cannot_be_written_is_named_in_the_error()
    {
        await using var daemon = await FakeDaemon.StartAsync();
        daemon.On("GET", Path, 200, SvgBody, "image/svg+xml");
        var target = System.IO.Path.Combine(_dir.FullName, "no-such-dir", "x.svg");
        var result = await daemon.RunAsync("network", "graph", "-o", target);
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"cannot write {target}: ", result.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Networks_format_and_output_are_parsed_as_given()
    {
        var (command, parse) = PlexusCli.Parse<NetworkGraphCommand>("network", "graph", "web", "back", "--format", "dot", "-o", "n.dot");
        Assert.Equal("graph", command.Name);
        Assert.Equal(["web", "back"], parse.GetValue<string[]>("NETWORK")!);
        Assert.Equal("dot", parse.GetValue<string?>("--format"));
        Assert.Equal("n.dot", parse.GetValue<string?>("--output"));
    }

    [Fact]
    public async Task Help_lists_the_verb_and_its_flags()
    {
        var group = await PlexusCli.RunAsync(["network", "--help"]);
        Assert.Contains("graph", group.Out, StringComparison.Ordinal);
        var verb = await PlexusCli.RunAsync(["network", "graph", "--help"]);
        Assert.Equal((0, ""), (verb.ExitCode, verb.Err));
        Assert.Contains("--format", verb.Out, StringComparison.Ordinal);
        Assert.Contains("-o, --output", verb.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_empty_output_name_is_a_usage_error()
    {
        await using var daemon = await FakeDaemon.StartAsync();
        var result = await daemon.RunAsync("network", "graph", "-o", "");
        Assert.Equal(125, result.ExitCode);
        Assert.Empty(daemon.Requests);
    }
}
