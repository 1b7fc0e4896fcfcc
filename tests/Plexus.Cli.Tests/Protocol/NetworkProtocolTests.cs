using System.Text.Json;
using Plexus.Cli.Tests.Support;

namespace Plexus.Cli.Tests.Protocol;

/// <summary>`plexus network ...` against a fake daemon: the requests it sends and what it prints of the answers.</summary>
public class NetworkProtocolTests
{
    [Fact]
    public async Task Create_posts_the_request_and_prints_the_new_id()
    {
        await using var daemon = await FakeDaemon.StartAsync();
        daemon.On("POST", "/v1.45/networks/create", 201, $$"""{"Id":"{{Fixtures.WebId}}","Warning":""}""");

        var result = await daemon.RunAsync("network", "create", "--subnet", "10.1.0.0/24", "--gateway", "10.1.0.1", "--ip-range", "10.1.0.128/25",
            "--internal", "--ipv6", "-o", "com.docker.network.bridge.enable_icc=false", "web");

        Assert.Equal((0, Fixtures.WebId + "\n", ""), (result.ExitCode, result.Out, result.Err));
        var request = Assert.Single(daemon.Requests);
        Assert.Equal(("POST", "/v1.45/networks/create"), (request.Method, request.Path));
        JsonAssert.Equal("""
            { "Name": "web", "Driver": "bridge", "Internal": true, "EnableIPv6": true,
              "IPAM": { "Driver": "default", "Config": [ { "Subnet": "10.1.0.0/24", "IPRange": "10.1.0.128/25", "Gateway": "10.1.0.1" } ] },
              "Options": { "com.docker.network.bridge.enable_icc": "false" } }
            """, request.Body);
    }

    [Fact]
    public async Task Create_prints_the_daemons_warning_on_stderr()
    {
        await using var daemon = await FakeDaemon.StartAsync();
        daemon.On("POST", "/v1.45/networks/create", 201, """{"Id":"abc","Warning":"subnet overlaps a host route"}""");
        var result = await daemon.RunAsync("network", "create", "w");
        Assert.Equal(("abc\n", "WARNING: subnet overlaps a host route\n"), (result.Out, result.Err));
    }

    [Fact]
    public async Task Ls_prints_dockers_table_sorted_by_name()
    {
        await using var daemon = await FakeDaemon.StartAsync();
        daemon.On("GET", "/v1.45/networks", 200, Fixtures.Networks);

        var result = await daemon.RunAsync("network", "ls");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(
            "NETWORK ID     NAME      DRIVER    SCOPE\n" +
            "111111111111   bridge    bridge    local\n" +
            "aaaaaaaaaaaa   none      null      local\n" +
            "7d3f2a9c1b8e   web       bridge    local\n", result.Out);
        Assert.Equal(("GET", ""), (daemon.Requests[0].Method, daemon.Requests[0].Query));
    }

    [Fact]
    public async Task Ls_quiet_and_no_trunc_print_ids()
    {
        await using var daemon = await FakeDaemon.StartAsync();
        daemon.On("GET", "/v1.45/networks", 200, Fixtures.Networks);
        Assert.Equal("111111111111\naaaaaaaaaaaa\n7d3f2a9c1b8e\n", (await daemon.RunAsync("network", "ls", "-q")).Out);
        Assert.Equal($"1111111111112222222222223333333333334444444444445555555555556666\naaaaaaaaaaaabbbbbbbbbbbbccccccccccccddddddddddddeeeeeeeeeeeeffff\n{Fixtures.WebId}\n",
            (await daemon.RunAsync("network", "ls", "--quiet", "--no-trunc")).Out);
    }

    [Fact]
    public async Task Ls_sends_filters_as_dockers_json_query()
    {
        await using var daemon = await FakeDaemon.StartAsync();
        daemon.On("GET", "/v1.45/networks", 200, "[]");
        var result = await daemon.RunAsync("network", "ls", "-f", "name=web", "--filter", "label=tier=front", "-f", "name=db");
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("""{"name":["web","db"],"label":["tier=front"]}""", Uri.UnescapeDataString(daemon.Requests[0].Query["?filters=".Length..]));
        Assert.Equal("NETWORK ID   NAME      DRIVER    SCOPE\n", result.Out);
    }

    [Fact]
    public async Task Ls_format_json_prints_one_object_per_line_like_docker()
    {
        await using var daemon = await FakeDaemon.StartAsync();
        daemon.On("GET", "/v1.45/networks", 200, Fixtures.Networks);
        var lines = (await daemon.RunAsync("network", "ls", "--format", "json")).Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Equal("""{"CreatedAt":"2025-01-02 03:04:05.5 +0000 UTC","Driver":"bridge","ID":"7d3f2a9c1b8e","IPv4":"true","IPv6":"false","Internal":"false","Labels":"app=shop,tier=front","Name":"web","Scope":"local"}""", lines[2]);
        foreach (var line in lines) JsonDocument.Parse(line).Dispose();
    }

    [Fact]
    public async Task Ls_format_template_and_custom_table()
    {
        await using var daemon = await FakeDaemon.StartAsync();
        daemon.On("GET", "/v1.45/networks", 200, Fixtures.Networks);
        Assert.Equal("bridge: bridge ipv6=true\nnone: null ipv6=false\nweb: bridge ipv6=false\n",
            (await daemon.RunAsync("network", "ls", "--format", "{{.Name}}: {{.Driver}} ipv6={{.IPv6}}")).Out);
        Assert.Equal("NAME      INTERNAL\nbridge    false\nnone      true\nweb       false\n",
            (await daemon.RunAsync("network", "ls", "--format", "table {{.Name}}\\t{{.Internal}}")).Out);
    }

    [Fact]
    public async Task Inspect_prints_the_daemons_json_as_an_indented_array()
    {
        await using var daemon = await FakeDaemon.StartAsync();
        daemon.On("GET", "/v1.45/networks/web", 200, Fixtures.WebNetwork);

        var result = await daemon.RunAsync("network", "inspect", "web");

        Assert.Equal((0, ""), (result.ExitCode, result.Err));
        Assert.StartsWith("[\n    {\n        \"Name\": \"web\",\n        \"Id\": ", result.Out, StringComparison.Ordinal);
        using var printed = JsonDocument.Parse(result.Out);
        using var sent = JsonDocument.Parse(Fixtures.WebNetwork);
        Assert.True(JsonElement.DeepEquals(sent.RootElement, Assert.Single(printed.RootElement.EnumerateArray().ToList())));
    }

    [Fact]
    public async Task Inspect_prints_what_it_found_then_an_error_per_missing_network()
    {
        await using var daemon = await FakeDaemon.StartAsync();
        daemon.On("GET", "/v1.45/networks/web", 200, Fixtures.WebNetwork);
        daemon.On("GET", "/v1.45/networks/nope", 404, """{"message":"network nope not found"}""");

        var result = await daemon.RunAsync("network", "inspect", "-f", "{{.Name}} {{json .IPAM.Config}}", "nope", "web");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("""web [{"Subnet":"10.1.0.0/24","Gateway":"10.1.0.1"}]""" + "\n", result.Out);
        Assert.Equal("Error response from daemon: network nope not found\n", result.Err);
    }

    [Fact]
    public async Task Inspect_of_nothing_found_prints_an_empty_array()
    {
        await using var daemon = await FakeDaemon.StartAsync();
        daemon.On("GET", "/v1.45/networks/nope", 404, """{"message":"network nope not found"}""");
        var result = await daemon.RunAsync("network", "inspect", "nope");
        Assert.Equal((1, "[]\n", "Error response from daemon: network nope not found\n"), (result.ExitCode, result.Out, result.Err));
    }

    [Fact]
    public async Task Rm_removes_each_goes_on_past_failures_and_exits_1()
    {
        await using var daemon = await FakeDaemon.StartAsync();
        daemon.On("DELETE", "/v1.45/networks/a", 204);
        daemon.On("DELETE", "/v1.45/networks/bridge", 403, """{"message":"bridge is a pre-defined network and cannot be removed"}""");
        daemon.On("DELETE", "/v1.45/networks/c", 204);

        var result = await daemon.RunAsync("network", "rm", "a", "bridge", "c");

        Assert.Equal((1, "a\nc\n", "Error response from daemon: bridge is a pre-defined network and cannot be removed\n"), (result.ExitCode, result.Out, result.Err));
        Assert.Equal(["DELETE /v1.45/networks/a", "DELETE /v1.45/networks/bridge", "DELETE /v1.45/networks/c"], daemon.Requests.Select(r => $"{r.Method} {r.Path}"));
    }

    [Fact]
    public async Task Rm_force_ignores_networks_that_do_not_exist()
    {
        await using var daemon = await FakeDaemon.StartAsync();
        daemon.On("DELETE", "/v1.45/networks/gone", 404, """{"message":"network gone not found"}""");
        var result = await daemon.RunAsync("network", "rm", "-f", "gone");
        Assert.Equal((0, "", ""), (result.ExitCode, result.Out, result.Err));
    }

    [Fact]
    public async Task Names_are_escaped_in_paths()
    {
        await using var daemon = await FakeDaemon.StartAsync();
        var result = await daemon.RunAsync("network", "rm", "a b/c");
        Assert.Equal(1, result.ExitCode);
        Assert.Equal("/v1.45/networks/a%20b%2Fc", daemon.Requests[0].RawTarget);
    }

    [Fact]
    public async Task Connect_and_disconnect_post_the_sandbox_and_its_settings()
    {
        await using var daemon = await FakeDaemon.StartAsync();
        daemon.On("POST", "/v1.45/networks/web/connect", 200);
        daemon.On("POST", "/v1.45/networks/web/disconnect", 200);

        var connect = await daemon.RunAsync("network", "connect", "--ip", "10.1.0.7", "--alias", "db", "web", "c1");
        var disconnect = await daemon.RunAsync("network", "disconnect", "-f", "web", "c1");

        Assert.Equal((0, "", ""), (connect.ExitCode, connect.Out, connect.Err));
        Assert.Equal((0, "", ""), (disconnect.ExitCode, disconnect.Out, disconnect.Err));
        JsonAssert.Equal("""{ "Container": "c1", "EndpointConfig": { "IPAMConfig": { "IPv4Address": "10.1.0.7" }, "Aliases": ["db"] } }""", daemon.Requests[0].Body);
        JsonAssert.Equal("""{ "Container": "c1", "Force": true }""", daemon.Requests[1].Body);
    }

    [Fact]
    public async Task Connect_reports_the_daemons_refusal()
    {
        await using var daemon = await FakeDaemon.StartAsync();
        daemon.On("POST", "/v1.45/networks/web/connect", 404, """{"message":"network web not found"}""");
        var result = await daemon.RunAsync("network", "connect", "web", "c1");
        Assert.Equal((1, "", "Error response from daemon: network web not found\n"), (result.ExitCode, result.Out, result.Err));
    }

    [Fact]
    public async Task Prune_with_force_lists_what_was_deleted()
    {
        await using var daemon = await FakeDaemon.StartAsync();
        daemon.On("POST", "/v1.45/networks/prune", 200, """{"NetworksDeleted":["old","older"]}""");
        var result = await daemon.RunAsync("network", "prune", "-f", "--filter", "label=temp");
        Assert.Equal((0, "Deleted Networks:\nold\nolder\n"), (result.ExitCode, result.Out));
        Assert.Equal("""{"label":["temp"]}""", Uri.UnescapeDataString(daemon.Requests[0].Query["?filters=".Length..]));
    }

    [Fact]
    public async Task Prune_asks_first_and_does_nothing_unless_told_yes()
    {
        await using var daemon = await FakeDaemon.StartAsync();
        daemon.On("POST", "/v1.45/networks/prune", 200, """{"NetworksDeleted":[]}""");

        var no = await daemon.RunWithInputAsync("n\n", "network", "prune");
        Assert.Equal((0, "WARNING! This will remove all custom networks not used by at least one sandbox.\nAre you sure you want to continue? [y/N] "), (no.ExitCode, no.Out));
        Assert.Empty(daemon.Requests);

        var eof = await daemon.RunWithInputAsync("", "network", "prune");
        Assert.Equal(0, eof.ExitCode);
        Assert.Empty(daemon.Requests);

        var yes = await daemon.RunWithInputAsync("y\n", "network", "prune");
        Assert.Equal(0, yes.ExitCode);
        Assert.Single(daemon.Requests);
    }
}
