using System.Net.Sockets;
using Plexus.Cli.Tests.Support;

namespace Plexus.Cli.Tests.Protocol;

/// <summary>One clear line on stderr and docker's exit codes, whatever goes wrong.</summary>
public class ErrorTests
{
    private static string MissingSocket() => Path.Combine(Path.GetTempPath(), "pxc-none-" + Guid.NewGuid().ToString("N")[..8], "plexus.sock");

    [Fact]
    public async Task A_missing_socket_says_the_daemon_is_not_running()
    {
        var socket = MissingSocket();
        var result = await PlexusCli.RunAsync(["-H", "unix://" + socket, "network", "ls"]);
        Assert.Equal((1, "", $"Cannot connect to the Plexus daemon at unix://{socket}. Is plexusd running?\n"), (result.ExitCode, result.Out, result.Err));
    }

    [Fact]
    public async Task A_socket_nobody_listens_on_says_the_same()
    {
        var dir = Path.Combine(Path.GetTempPath(), "pxc-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(dir);
        try
        {
            // Bound but never listening: connect is refused, as for a daemon that died and left its socket.
            var path = Path.Combine(dir, "dead.sock");
            using (var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
                s.Bind(new UnixDomainSocketEndPoint(path));
            var result = await PlexusCli.RunAsync(["ps"], new Dictionary<string, string> { ["PLEXUS_HOST"] = "unix://" + path });
            Assert.Equal((1, $"Cannot connect to the Plexus daemon at unix://{path}. Is plexusd running?\n"), (result.ExitCode, result.Err));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task The_environment_names_the_host_when_no_flag_does()
    {
        await using var daemon = await FakeDaemon.StartAsync();
        daemon.On("GET", "/v1.45/networks", 200, "[]");
        var result = await PlexusCli.RunAsync(["network", "ls", "-q"], new Dictionary<string, string> { ["PLEXUS_HOST"] = daemon.Host });
        Assert.Equal((0, "", ""), (result.ExitCode, result.Out, result.Err));
        Assert.Single(daemon.Requests);
    }

    [Fact]
    public async Task The_flag_wins_over_the_environment()
    {
        await using var daemon = await FakeDaemon.StartAsync();
        daemon.On("GET", "/v1.45/networks", 200, "[]");
        var result = await PlexusCli.RunAsync(["--host", daemon.Host, "network", "ls", "-q"], new Dictionary<string, string> { ["PLEXUS_HOST"] = "unix://" + MissingSocket() });
        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public async Task A_host_that_is_not_a_socket_address_is_a_usage_error()
    {
        var result = await PlexusCli.RunAsync(["-H", "ssh://box", "ps"]);
        Assert.Equal((125, "plexus ps: invalid host 'ssh://box': expected unix:///path/to/socket or tcp://HOST:PORT\nSee 'plexus ps --help'.\n"), (result.ExitCode, result.Err));
    }

    [Fact]
    public async Task A_text_error_body_is_shown_as_it_is()
    {
        await using var daemon = await FakeDaemon.StartAsync();
        daemon.On("GET", "/v1.45/networks", 500, "boom: the store is locked", "text/plain");
        var result = await daemon.RunAsync("network", "ls");
        Assert.Equal((1, "", "Error response from daemon: boom: the store is locked\n"), (result.ExitCode, result.Out, result.Err));
    }

    [Fact]
    public async Task An_empty_error_body_shows_the_status()
    {
        await using var daemon = await FakeDaemon.StartAsync();
        daemon.On("GET", "/v1.45/networks", 503);
        var result = await daemon.RunAsync("network", "ls");
        Assert.Equal((1, "Error response from daemon: 503 Service Unavailable\n"), (result.ExitCode, result.Err));
    }

    [Fact]
    public async Task An_answer_that_is_not_the_expected_json_is_an_error_not_a_crash()
    {
        await using var daemon = await FakeDaemon.StartAsync();
        daemon.On("GET", "/v1.45/networks", 200, "{\"not\":\"a list\"}");
        var result = await daemon.RunAsync("network", "ls");
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("Error response from daemon: the daemon's answer is not the expected JSON", result.Err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("plexus network ls: Unrecognized command or argument '--bogus'.", "network", "ls", "--bogus")]
    [InlineData("plexus network create: Required argument missing for command: 'create'.", "network", "create")]
    [InlineData("plexus: Unrecognized command or argument 'frobnicate'.", "frobnicate")]
    [InlineData("plexus network connect: Required argument missing for command: 'connect'.", "network", "connect", "web")]
    public async Task Usage_errors_exit_125_with_a_pointer_to_help(string message, params string[] args)
    {
        await using var daemon = await FakeDaemon.StartAsync();
        var result = await daemon.RunAsync(args);
        Assert.Equal(125, result.ExitCode);
        var lines = result.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(message, lines[0]);
        Assert.StartsWith("See 'plexus", lines[^1], StringComparison.Ordinal);
        Assert.Empty(daemon.Requests);
    }

    [Fact]
    public async Task A_template_that_does_not_parse_is_a_usage_error_before_anything_is_sent()
    {
        await using var daemon = await FakeDaemon.StartAsync();
        var result = await daemon.RunAsync("inspect", "-f", "{{.Name", "client");
        Assert.Equal((125, "", "template parsing error: template: :1: unclosed action\n"), (result.ExitCode, result.Out, result.Err));
        Assert.Empty(daemon.Requests);
    }

    [Fact]
    public async Task A_template_that_fails_on_the_data_exits_1()
    {
        await using var daemon = await FakeDaemon.StartAsync();
        daemon.On("GET", "/v1.45/containers/json", 200, Fixtures.Containers);
        var result = await daemon.RunAsync("ps", "--format", "{{.Names.First}}");
        Assert.Equal((1, "template: :1:3: executing \"\" at <.Names.First>: can't evaluate field First in type string\n"), (result.ExitCode, result.Err));
    }

    [Fact]
    public async Task Help_is_not_an_error()
    {
        var root = await PlexusCli.RunAsync(["--help"]);
        var group = await PlexusCli.RunAsync(["network"]);
        var verb = await PlexusCli.RunAsync(["network", "create", "--help"]);
        Assert.Equal((0, ""), (root.ExitCode, root.Err));
        Assert.Contains("network", root.Out, StringComparison.Ordinal);
        Assert.Equal(0, group.ExitCode);
        Assert.Contains("prune", group.Out, StringComparison.Ordinal);
        Assert.Equal(0, verb.ExitCode);
        Assert.Contains("--ip-range", verb.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_flag_prints_one_line_without_the_daemon()
    {
        var result = await PlexusCli.RunAsync(["-H", "unix:///nonexistent/x.sock", "--version"]);
        Assert.Equal((0, "Plexus version 0.1.0, API 1.45\n", ""), (result.ExitCode, result.Out, result.Err));
    }

    [Fact]
    public async Task A_daemon_that_hangs_up_mid_request_is_one_line_not_a_stack_trace()
    {
        var dir = Path.Combine(Path.GetTempPath(), "pxc-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, "rude.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen();
        using var stop = new CancellationTokenSource();

        // Every connection (the client may retry once on a fresh one) reads the request and hangs up.
        var hangUp = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var peer = await listener.AcceptAsync(stop.Token);
                try
                {
                    await peer.ReceiveAsync(new byte[4096], stop.Token);
                    peer.Shutdown(SocketShutdown.Both);
                }
                catch (SocketException)
                {
                    // The client gave up on this connection first (reset, or closed before the shutdown): next one.
                }
            }
        });
        try
        {
            var result = await PlexusCli.RunAsync(["-H", "unix://" + path, "ps"]);
            Assert.Equal(1, result.ExitCode);
            Assert.StartsWith($"error during connect to the Plexus daemon at unix://{path}: ", result.Err, StringComparison.Ordinal);
            Assert.Single(result.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }
        finally
        {
            await stop.CancelAsync();
            // The loop ends cancelled in its accept, or normally when the cancellation came between two connections.
            try
            {
                await hangUp;
            }
            catch (OperationCanceledException)
            {
            }
            Directory.Delete(dir, recursive: true);
        }
    }
}
