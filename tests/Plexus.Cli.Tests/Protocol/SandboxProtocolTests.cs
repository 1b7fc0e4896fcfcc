using System.Text.Json;
using Plexus.Cli.Tests.Support;

namespace Plexus.Cli.Tests.Protocol;

/// <summary>run, create, exec, ps, rm, inspect, port, logs, info and version against a fake daemon.</summary>
public class SandboxProtocolTests
{
    private const string NewId = "5e5e5e5e5e5e0000000000000000000000000000000000000000000000000001";

    [Fact]
    public async Task Run_posts_the_sandbox_and_prints_its_id()
    {
        await using var daemon = await FakeDaemon.StartAsync();
        daemon.On("POST", "/v1.45/plexus/sandboxes", 201, $$"""{"Id":"{{NewId}}","Warnings":[]}""");

        var result = await daemon.RunAsync("run", "-d", "--name", "a", "--network", "web", "-p", "8080:80", "--link", "b:bb", "--", "busybox", "httpd", "-f");

        Assert.Equal((0, NewId + "\n", ""), (result.ExitCode, result.Out, result.Err));
        var request = Assert.Single(daemon.Requests);
        Assert.Equal(("POST", "/v1.45/plexus/sandboxes"), (request.Method, request.Path));
        JsonAssert.Equal("""{ "Name": "a", "Network": "web", "Publish": ["8080:80"], "Links": ["b:bb"], "Cmd": ["busybox", "httpd", "-f"] }""", request.Body);
    }

    [Fact]
    public async Task Run_prints_the_daemons_error_in_dockers_words()
    {
        await using var daemon = await FakeDaemon.StartAsync();
        daemon.On("POST", "/v1.45/plexus/sandboxes", 404, """{"message":"network web not found"}""");
        var result = await daemon.RunAsync("run", "--name", "a", "--network", "web", "--", "sleep", "1");
        Assert.Equal((1, "", "Error response from daemon: network web not found\n"), (result.ExitCode, result.Out, result.Err));
    }

    [Fact]
    public async Task Run_prints_warnings_on_stderr_and_the_id_on_stdout()
    {
        await using var daemon = await FakeDaemon.StartAsync();
        daemon.On("POST", "/v1.45/plexus/sandboxes", 201, $$"""{"Id":"{{NewId}}","Warnings":["port 80 is also exposed"]}""");
        var result = await daemon.RunAsync("run", "--name", "a");
        Assert.Equal((NewId + "\n", "WARNING: port 80 is also exposed\n"), (result.Out, result.Err));
    }

    [Fact]
    public async Task Create_adopts_a_pid_then_connect_wires_it()
    {
        await using var daemon = await FakeDaemon.StartAsync();
        daemon.On("POST", "/v1.45/plexus/sandboxes", 201, $$"""{"Id":"{{NewId}}","Warnings":[]}""");
        daemon.On("POST", "/v1.45/networks/web/connect", 200);

        var create = await daemon.RunAsync("create", "--name", "c1", "--pid", "4242");
        var connect = await daemon.RunAsync("network", "connect", "web", "c1");

        Assert.Equal((0, NewId + "\n"), (create.ExitCode, create.Out));
        Assert.Equal(0, connect.ExitCode);
        JsonAssert.Equal("""{ "Name": "c1", "Pid": 4242 }""", daemon.Requests[0].Body);
        JsonAssert.Equal("""{ "Container": "c1", "EndpointConfig": {} }""", daemon.Requests[1].Body);
    }

    [Fact]
    public async Task Exec_prints_the_output_exactly_and_exits_with_the_commands_code()
    {
        await using var daemon = await FakeDaemon.StartAsync();
        daemon.On("POST", "/v1.45/plexus/sandboxes/web/exec", 200, """{"ExitCode":3,"Output":"line 1\nno newline at end"}""");

        var result = await daemon.RunAsync("exec", "web", "sh", "-c", "echo line 1; printf 'no newline at end'; exit 3");

        Assert.Equal((3, "line 1\nno newline at end", ""), (result.ExitCode, result.Out, result.Err));
        JsonAssert.Equal("""{ "Cmd": ["sh", "-c", "echo line 1; printf 'no newline at end'; exit 3"] }""", daemon.Requests[0].Body);
    }

    [Fact]
    public async Task Exec_asks_for_the_stream_and_writes_each_frame_where_it_belongs()
    {
        await using var daemon = await FakeDaemon.StartAsync();
        // stdout "héllo\n" split inside the é, stderr "warn\n", a frame of an unknown kind, then the exit code.
        var utf8 = "héllo\n"u8.ToArray();
        byte[] frames = [.. Frame(1, utf8[..2]), .. Frame(1, utf8[2..]), .. Frame(2, "warn\n"u8.ToArray()), .. Frame(9, "?"u8.ToArray()),
            .. Frame(4, """{"ExitCode":5,"Output":""}"""u8.ToArray())];
        daemon.On("POST", "/v1.45/plexus/sandboxes/web/exec", 200, frames, "application/vnd.plexus.exec-stream");

        var result = await daemon.RunAsync("exec", "web", "sh", "-c", "echo héllo; echo warn >&2; exit 5");

        Assert.Equal((5, "héllo\n", "warn\n"), (result.ExitCode, result.Out, result.Err));
        Assert.Equal("application/vnd.plexus.exec-stream", daemon.Requests[0].Accept);
    }

    [Fact]
    public async Task Exec_prints_the_daemons_timeout_and_exits_with_the_killed_code()
    {
        await using var daemon = await FakeDaemon.StartAsync();
        byte[] frames = [.. Frame(1, "started\n"u8.ToArray()), .. Frame(3, "exec of \"sleep\" in sandbox web did not finish in 1 s and was killed"u8.ToArray()),
            .. Frame(4, """{"ExitCode":137,"Output":""}"""u8.ToArray())];
        daemon.On("POST", "/v1.45/plexus/sandboxes/web/exec", 200, frames, "application/vnd.plexus.exec-stream");
        var result = await daemon.RunAsync("exec", "--timeout", "1", "web", "sleep", "100");
        Assert.Equal((137, "started\n", "exec of \"sleep\" in sandbox web did not finish in 1 s and was killed\n"), (result.ExitCode, result.Out, result.Err));
    }

    [Fact]
    public async Task Exec_stream_cut_before_the_exit_code_is_an_error()
    {
        await using var daemon = await FakeDaemon.StartAsync();
        daemon.On("POST", "/v1.45/plexus/sandboxes/web/exec", 200, Frame(1, "partial"u8.ToArray()), "application/vnd.plexus.exec-stream");
        var result = await daemon.RunAsync("exec", "web", "true");
        Assert.Equal((1, "partial"), (result.ExitCode, result.Out));
        Assert.Contains("without the command's exit code", result.Err, StringComparison.Ordinal);
    }

    /// <summary>One frame of the exec stream: kind, three zero bytes, the length (big-endian), the payload.</summary>
    private static byte[] Frame(byte kind, byte[] payload)
    {
        var bytes = new byte[8 + payload.Length];
        bytes[0] = kind;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(4), (uint)payload.Length);
        payload.CopyTo(bytes, 8);
        return bytes;
    }

    [Fact]
    public async Task Exec_in_a_missing_sandbox_exits_1()
    {
        await using var daemon = await FakeDaemon.StartAsync();
        daemon.On("POST", "/v1.45/plexus/sandboxes/ghost/exec", 404, """{"message":"sandbox ghost not found"}""");
        var result = await daemon.RunAsync("exec", "ghost", "true");
        Assert.Equal((1, "Error response from daemon: sandbox ghost not found\n"), (result.ExitCode, result.Err));
    }

    [Fact]
    public async Task Ps_prints_the_table_with_networks_addresses_and_ports()
    {
        await using var daemon = await FakeDaemon.StartAsync();
        daemon.On("GET", "/v1.45/containers/json", 200, Fixtures.Containers);

        var result = await daemon.RunAsync("ps");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(
            "CONTAINER ID   NAME      NETWORKS   IP                  PORTS                           STATUS\n" +
            "c0ffee001122   client    back,web   10.2.0.5,10.1.0.2   443/tcp, 0.0.0.0:8080->80/tcp   Up\n" +
            "0123456789ab   holder                                                                   Exited\n", result.Out);
        Assert.Equal("", daemon.Requests[0].Query);
    }

    [Fact]
    public async Task Ps_all_quiet_filter_and_json()
    {
        await using var daemon = await FakeDaemon.StartAsync();
        daemon.On("GET", "/v1.45/containers/json", 200, Fixtures.Containers);

        var quiet = await daemon.RunAsync("ps", "-a", "-q", "--filter", "network=web");
        var json = await daemon.RunAsync("ps", "--format", "json");

        Assert.Equal("c0ffee001122\n0123456789ab\n", quiet.Out);
        Assert.StartsWith("?all=1&filters=", daemon.Requests[0].Query, StringComparison.Ordinal);
        Assert.Equal("""{"network":["web"]}""", Uri.UnescapeDataString(daemon.Requests[0].Query["?all=1&filters=".Length..]));
        var lines = json.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Equal("""{"Command":"\"busybox httpd -f -p…\"","CreatedAt":"2025-01-02 03:04:05 +0000 UTC","ID":"c0ffee001122","IP":"10.2.0.5,10.1.0.2","Image":"plexus-sandbox","Labels":"","Names":"client","Networks":"back,web","Ports":"443/tcp, 0.0.0.0:8080->80/tcp","State":"running","Status":"Up"}""", lines[0]);
    }

    [Fact]
    public async Task Ps_template_over_the_row()
    {
        await using var daemon = await FakeDaemon.StartAsync();
        daemon.On("GET", "/v1.45/containers/json", 200, Fixtures.Containers);
        var result = await daemon.RunAsync("ps", "--no-trunc", "--format", "{{.Names}} {{.ID}} {{.Labels}}");
        Assert.Equal("client c0ffee00112233445566778899aabbccddeeff00112233445566778899aabbcc \nholder 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef k=v\n", result.Out);
    }

    [Fact]
    public async Task Rm_deletes_with_force_when_asked()
    {
        await using var daemon = await FakeDaemon.StartAsync();
        daemon.On("DELETE", "/v1.45/plexus/sandboxes/a", 204);
        daemon.On("DELETE", "/v1.45/plexus/sandboxes/b", 409, """{"message":"cannot remove running sandbox b: its process 77 is running; stop it first or force the removal (-f)"}""");

        var plain = await daemon.RunAsync("rm", "a", "b");
        var forced = await daemon.RunAsync("rm", "-f", "a");

        Assert.Equal((1, "a\n", "Error response from daemon: cannot remove running sandbox b: its process 77 is running; stop it first or force the removal (-f)\n"),
            (plain.ExitCode, plain.Out, plain.Err));
        Assert.Equal((0, "a\n"), (forced.ExitCode, forced.Out));
        Assert.Equal(["", "", "?force=true"], daemon.Requests.Select(r => r.Query));
    }

    [Fact]
    public async Task Inspect_format_prints_links_as_go_prints_a_string_slice()
    {
        await using var daemon = await FakeDaemon.StartAsync();
        daemon.On("GET", "/v1.45/containers/client/json", 200, Fixtures.Client);

        var links = await daemon.RunAsync("inspect", "-f", "{{ .HostConfig.Links }}", "client");
        var ip = await daemon.RunAsync("inspect", "--format", "{{.NetworkSettings.IPAddress}}", "client");
        var nets = await daemon.RunAsync("inspect", "-f", "{{json .NetworkSettings.Networks}}", "client");

        Assert.Equal((0, "[/server:/client/server]\n", ""), (links.ExitCode, links.Out, links.Err));
        Assert.Equal("10.1.0.2\n", ip.Out);
        Assert.Equal("""{"web":{"IPAddress":"10.1.0.2","Aliases":["c"]}}""" + "\n", nets.Out);
    }

    [Fact]
    public async Task Inspect_falls_back_to_networks_like_docker()
    {
        await using var daemon = await FakeDaemon.StartAsync();
        daemon.On("GET", "/v1.45/containers/client/json", 200, Fixtures.Client);
        daemon.On("GET", "/v1.45/containers/web/json", 404, """{"message":"sandbox web not found"}""");
        daemon.On("GET", "/v1.45/networks/web", 200, Fixtures.WebNetwork);

        var result = await daemon.RunAsync("inspect", "client", "web");

        Assert.Equal((0, ""), (result.ExitCode, result.Err));
        using var doc = JsonDocument.Parse(result.Out);
        Assert.Equal(["/client", "web"], doc.RootElement.EnumerateArray().Select(e => e.GetProperty("Name").GetString()));
        Assert.Equal(["/v1.45/containers/client/json", "/v1.45/containers/web/json", "/v1.45/networks/web"], daemon.Requests.Select(r => r.Path));
    }

    [Fact]
    public async Task Inspect_of_an_unknown_name_says_no_such_object()
    {
        await using var daemon = await FakeDaemon.StartAsync();
        daemon.On("GET", "/v1.45/containers/nothing/json", 404, """{"message":"sandbox nothing not found"}""");
        daemon.On("GET", "/v1.45/networks/nothing", 404, """{"message":"network nothing not found"}""");

        var result = await daemon.RunAsync("inspect", "nothing");

        Assert.Equal((1, "[]\n", "Error: No such object: nothing\n"), (result.ExitCode, result.Out, result.Err));
    }

    [Fact]
    public async Task Inspect_type_container_does_not_look_at_networks()
    {
        await using var daemon = await FakeDaemon.StartAsync();
        daemon.On("GET", "/v1.45/containers/web/json", 404, """{"message":"sandbox web not found"}""");
        daemon.On("GET", "/v1.45/networks/web", 200, Fixtures.WebNetwork);

        var result = await daemon.RunAsync("inspect", "--type", "container", "web");

        Assert.Equal((1, "Error: No such container: web\n"), (result.ExitCode, result.Err));
        Assert.Single(daemon.Requests);
    }

    [Fact]
    public async Task Port_lists_bindings_and_filters_by_port()
    {
        await using var daemon = await FakeDaemon.StartAsync();
        daemon.On("GET", "/v1.45/containers/client/json", 200, Fixtures.Client);

        var all = await daemon.RunAsync("port", "client");
        var one = await daemon.RunAsync("port", "client", "80");
        var udp = await daemon.RunAsync("port", "client", "53/udp");
        var none = await daemon.RunAsync("port", "client", "443");

        Assert.Equal((0, "53/udp -> 127.0.0.1:5353\n80/tcp -> 0.0.0.0:8080\n80/tcp -> [::]:8080\n"), (all.ExitCode, all.Out));
        Assert.Equal("0.0.0.0:8080\n[::]:8080\n", one.Out);
        Assert.Equal("127.0.0.1:5353\n", udp.Out);
        Assert.Equal((1, "", "Error: No public port '443/tcp' published for client\n"), (none.ExitCode, none.Out, none.Err));
    }

    [Fact]
    public async Task Logs_copies_the_text_as_it_is()
    {
        await using var daemon = await FakeDaemon.StartAsync();
        daemon.On("GET", "/v1.45/plexus/sandboxes/web/logs", 200, "started\nlistening on :80\n", "text/plain");
        var result = await daemon.RunAsync("logs", "web");
        Assert.Equal((0, "started\nlistening on :80\n"), (result.ExitCode, result.Out));
    }

    [Fact]
    public async Task Info_shows_versions_counts_firewall_and_kernel_features()
    {
        await using var daemon = await FakeDaemon.StartAsync();
        daemon.On("GET", "/v1.45/info", 200, Fixtures.Info);
        daemon.On("GET", "/v1.45/networks", 200, Fixtures.Networks);

        var result = await daemon.RunAsync("info");

        Assert.Equal(0, result.ExitCode);
        var lines = result.Out.Split('\n');
        Assert.Contains(" Server Version: 0.1.0", lines);
        Assert.Contains(" Sandboxes: 3", lines);
        Assert.Contains("  Running: 2", lines);
        Assert.Contains("  Stopped: 1", lines);
        Assert.Contains(" Networks: 3", lines);
        Assert.Contains(" Firewall Backend: nftables", lines);
        Assert.Contains("  Exec Root: /run/plexus", lines);
        Assert.Contains($" Host: {daemon.Host}", lines);
        var features = string.Join('\n', lines.SkipWhile(l => l != " Kernel Features:").Skip(1).TakeWhile(l => l.StartsWith("  ", StringComparison.Ordinal)));
        Assert.Equal("  br_netfilter: missing\n  bridge:       present\n  veth:         present\n  vxlan:        missing", features);
        Assert.Contains("WARNING: kernel features missing: br_netfilter, vxlan", lines);
    }

    [Fact]
    public async Task Info_format_runs_a_template_over_the_daemons_json()
    {
        await using var daemon = await FakeDaemon.StartAsync();
        daemon.On("GET", "/v1.45/info", 200, Fixtures.Info);
        var result = await daemon.RunAsync("info", "-f", "{{.FirewallBackend.Driver}} {{.KernelFeatures}}");
        Assert.Equal("nftables map[br_netfilter:false bridge:true veth:true vxlan:false]\n", result.Out);
        Assert.Single(daemon.Requests);
    }

    [Fact]
    public async Task Version_shows_client_and_server()
    {
        await using var daemon = await FakeDaemon.StartAsync();
        daemon.On("GET", "/v1.45/version", 200, Fixtures.Version);
        var result = await daemon.RunAsync("version");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Server: Plexus\n Version:     0.1.0\n API version: 1.45 (minimum version 1.24)\n", result.Out, StringComparison.Ordinal);
        Assert.StartsWith("Client:\n Version:     0.1.0\n API version: 1.45\n", result.Out, StringComparison.Ordinal);
    }
}
