using System.Text.Json;
using Plexus.Cli.Templates;

namespace Plexus.Cli.Tests.Templates;

/// <summary>The --format engine against what Go's text/template (as docker uses it) prints for the same JSON.</summary>
public class GoTemplateTests
{
    /// <summary>The shape of `plexus inspect client` after `run --name client --link server`.</summary>
    private const string Container = """
        {
          "Id": "4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b",
          "Name": "/client",
          "RestartCount": 0,
          "State": { "Status": "running", "Running": true, "Pid": 4242, "ExitCode": 0 },
          "HostConfig": {
            "NetworkMode": "web",
            "Links": ["/server:/client/server"],
            "PortBindings": { "80/tcp": [ { "HostIp": "0.0.0.0", "HostPort": "8080" } ] },
            "Dns": [],
            "ExtraHosts": null
          },
          "Config": { "Hostname": "client", "Env": ["A=1", "B=2"], "Labels": { "tier": "front", "app": "shop" } },
          "NetworkSettings": {
            "IPAddress": "10.1.0.2",
            "IPPrefixLen": 24,
            "Ports": { "80/tcp": [ { "HostIp": "0.0.0.0", "HostPort": "8080" } ], "443/tcp": null },
            "Networks": {
              "web": { "IPAddress": "10.1.0.2", "Aliases": ["c"], "GwPriority": 0 },
              "back": { "IPAddress": "10.2.0.5", "Aliases": null, "GwPriority": 1 }
            }
          },
          "Ratio": 0.25,
          "Big": 1500000.5
        }
        """;

    private static string Run(string template, string json = Container)
    {
        using var doc = JsonDocument.Parse(json);
        return GoTemplate.Parse(template).Execute(doc.RootElement);
    }

    [Theory]
    [InlineData("{{ .HostConfig.Links }}", "[/server:/client/server]")]
    [InlineData("{{.HostConfig.Links}}", "[/server:/client/server]")]
    [InlineData("{{.NetworkSettings.IPAddress}}", "10.1.0.2")]
    [InlineData("{{.Name}}", "/client")]
    [InlineData("{{.State.Running}}", "true")]
    [InlineData("{{.State.Pid}}", "4242")]
    [InlineData("{{.RestartCount}}", "0")]
    [InlineData("{{.NetworkSettings.IPPrefixLen}}", "24")]
    [InlineData("{{.Ratio}}", "0.25")]
    [InlineData("{{.Config.Env}}", "[A=1 B=2]")]
    [InlineData("{{.HostConfig.Dns}}", "[]")]
    public void Field_paths_print_as_Go_prints_them(string template, string expected) => Assert.Equal(expected, Run(template));

    [Fact]
    public void Maps_print_with_sorted_keys_as_Go_does()
    {
        Assert.Equal("map[app:shop tier:front]", Run("{{.Config.Labels}}"));
        Assert.Equal("map[80/tcp:[map[HostIp:0.0.0.0 HostPort:8080]]]", Run("{{.HostConfig.PortBindings}}"));
        Assert.Equal("map[443/tcp:<nil> 80/tcp:[map[HostIp:0.0.0.0 HostPort:8080]]]", Run("{{.NetworkSettings.Ports}}"));
    }

    [Fact]
    public void Absent_keys_and_null_print_no_value()
    {
        Assert.Equal("<no value>", Run("{{.Nope}}"));
        Assert.Equal("<no value>", Run("{{.Nope.Deeper.Still}}"));
        Assert.Equal("<no value>", Run("{{.HostConfig.ExtraHosts}}"));
        Assert.Equal("<no value>", Run("{{.NetworkSettings.Networks.back.Aliases}}"));
    }

    [Fact]
    public void Text_outside_actions_is_copied()
    {
        Assert.Equal("ip=10.1.0.2 name=/client\n", Run("ip={{.NetworkSettings.IPAddress}} name={{.Name}}\n"));
        Assert.Equal("no actions at all { } }}", Run("no actions at all { } }}"));
        Assert.Equal("", Run(""));
    }

    [Fact]
    public void Json_prints_compact_JSON_in_the_daemons_key_order()
    {
        Assert.Equal("""{"web":{"IPAddress":"10.1.0.2","Aliases":["c"],"GwPriority":0},"back":{"IPAddress":"10.2.0.5","Aliases":null,"GwPriority":1}}""",
            Run("{{json .NetworkSettings.Networks}}"));
        Assert.Equal("""["/server:/client/server"]""", Run("{{json .HostConfig.Links}}"));
        Assert.Equal("null", Run("{{json .Nope}}"));
        Assert.Equal("\"10.1.0.2\"", Run("{{json .NetworkSettings.IPAddress}}"));
    }

    [Fact]
    public void Json_of_dot_is_the_whole_object_round_tripped()
    {
        var output = Run("{{json .}}");
        using var expected = JsonDocument.Parse(Container);
        using var actual = JsonDocument.Parse(output);
        Assert.True(JsonElement.DeepEquals(expected.RootElement, actual.RootElement), output);
        Assert.DoesNotContain('\n', output);
    }

    [Fact]
    public void Dot_alone_prints_the_value()
    {
        Assert.Equal("hello", Run("{{.}}", "\"hello\""));
        Assert.Equal("[1 2 3]", Run("{{.}}", "[1,2,3]"));
        Assert.Equal("map[a:1]", Run("{{.}}", "{\"a\":1}"));
        Assert.Equal("<no value>", Run("{{.}}", "null"));
    }

    [Fact]
    public void Range_over_a_map_walks_sorted_keys_with_the_value_as_dot()
    {
        Assert.Equal("10.2.0.5 10.1.0.2 ", Run("{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}"));
        Assert.Equal("back=10.2.0.5;web=10.1.0.2;", Run("{{range $name, $net := .NetworkSettings.Networks}}{{$name}}={{$net.IPAddress}};{{end}}"));
    }

    [Fact]
    public void Range_over_a_list_gives_index_and_element()
    {
        Assert.Equal("0:A=1,1:B=2,", Run("{{range $i, $e := .Config.Env}}{{$i}}:{{$e}},{{end}}"));
        Assert.Equal("[A=1][B=2]", Run("{{range .Config.Env}}[{{.}}]{{end}}"));
    }

    [Fact]
    public void Range_else_runs_when_there_is_nothing_to_walk()
    {
        Assert.Equal("none", Run("{{range .HostConfig.Dns}}x{{else}}none{{end}}"));
        Assert.Equal("none", Run("{{range .Nope}}x{{else}}none{{end}}"));
    }

    [Fact]
    public void Dollar_is_the_root_inside_range()
    {
        Assert.Equal("/client:c;", Run("{{range .NetworkSettings.Networks.web.Aliases}}{{$.Name}}:{{.}};{{end}}"));
    }

    [Fact]
    public void If_else_if_and_with_choose_by_Go_truth()
    {
        Assert.Equal("up", Run("{{if .State.Running}}up{{else}}down{{end}}"));
        Assert.Equal("down", Run("{{if .Nope}}up{{else}}down{{end}}"));
        Assert.Equal("zero", Run("{{if .RestartCount}}some{{else if eq .RestartCount 0}}zero{{end}}"));
        Assert.Equal("client", Run("{{with .Config}}{{.Hostname}}{{end}}"));
        Assert.Equal("none", Run("{{with .HostConfig.Dns}}{{.}}{{else}}none{{end}}"));
        Assert.Equal("empty", Run("{{if .HostConfig.Dns}}full{{else}}empty{{end}}"));
    }

    [Fact]
    public void Variables_declared_in_an_action_print_nothing_and_are_usable_later()
    {
        Assert.Equal("10.1.0.2", Run("{{$ip := .NetworkSettings.IPAddress}}{{$ip}}"));
    }

    [Theory]
    [InlineData("{{.Name | upper}}", "/CLIENT")]
    [InlineData("{{upper .Name}}", "/CLIENT")]
    [InlineData("{{lower \"ABC\"}}", "abc")]
    [InlineData("{{title \"hello wide world\"}}", "Hello Wide World")]
    [InlineData("{{join .Config.Env \",\"}}", "A=1,B=2")]
    [InlineData("{{split \"a:b:c\" \":\"}}", "[a b c]")]
    [InlineData("{{len .Config.Env}}", "2")]
    [InlineData("{{len .Config.Labels}}", "2")]
    [InlineData("{{index .Config.Env 1}}", "B=2")]
    [InlineData("{{index .NetworkSettings.Networks \"web\" | json}}", """{"IPAddress":"10.1.0.2","Aliases":["c"],"GwPriority":0}""")]
    [InlineData("{{(index .NetworkSettings.Networks \"back\").IPAddress}}", "10.2.0.5")]
    [InlineData("{{truncate .Id 12}}", "4f3c2b1a0e9d")]
    [InlineData("{{pad .Config.Hostname 1 2}}", " client  ")]
    [InlineData("{{printf \"%s has %d env\" .Config.Hostname (len .Config.Env)}}", "client has 2 env")]
    [InlineData("{{printf \"%-6s|%5d|%q\" \"ab\" 42 \"x\"}}", "ab    |   42|\"x\"")]
    [InlineData("{{printf \"%v %t %.2f %x\" .Config.Env true 3.14159 255}}", "[A=1 B=2] true 3.14 ff")]
    [InlineData("{{print \"a\" 1 2 \"b\"}}", "a1 2b")]
    [InlineData("{{println \"a\" 1}}", "a 1\n")]
    [InlineData("{{eq .Config.Hostname \"client\"}}", "true")]
    [InlineData("{{eq .RestartCount 1 2 0}}", "true")]
    [InlineData("{{ne .State.Pid 4242}}", "false")]
    [InlineData("{{lt .RestartCount .State.Pid}}", "true")]
    [InlineData("{{ge .Ratio 0.5}}", "false")]
    [InlineData("{{and .State.Running .Config.Hostname}}", "client")]
    [InlineData("{{or .Nope \"fallback\"}}", "fallback")]
    [InlineData("{{not .State.Running}}", "false")]
    public void Functions_and_pipelines(string template, string expected) => Assert.Equal(expected, Run(template));

    [Fact]
    public void Trim_markers_eat_the_whitespace_beside_them()
    {
        Assert.Equal("a,b,", Run("{{range .}}\n  {{- . -}}\n  ,{{end}}", "[\"a\",\"b\"]"));
        Assert.Equal("x", Run("  {{- \"x\" -}}  "));
    }

    [Fact]
    public void Comments_produce_nothing() => Assert.Equal("ab", Run("a{{/* a comment */}}b"));

    [Fact]
    public void Literals()
    {
        Assert.Equal("raw \\n", Run("{{`raw \\n`}}"));
        Assert.Equal("tab\there", Run("{{\"tab\\there\"}}"));
        Assert.Equal("-3", Run("{{-3}}"));
        Assert.Equal("1.5", Run("{{1.5}}"));
        Assert.Equal("false", Run("{{false}}"));
    }

    [Fact]
    public void Field_names_fall_back_to_ignoring_case_as_dockers_struct_fields_allow()
    {
        Assert.Equal("4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b", Run("{{.ID}}"));
        Assert.Equal("10.1.0.2", Run("{{.networksettings.ipaddress}}"));
    }

    [Fact]
    public void An_exact_key_wins_over_one_that_differs_in_case() =>
        Assert.Equal("exact", Run("{{.id}}", """{"ID":"upper","id":"exact"}"""));

    [Fact]
    public void Large_and_fractional_numbers_print_as_Go_prints_them()
    {
        Assert.Equal("1.5000005e+06", Run("{{.Big}}"));
        Assert.Equal("9007199254740993", Run("{{.}}", "9007199254740993"));
        Assert.Equal("1e+21", Run("{{.}}", "1e21"));
        Assert.Equal("1", Run("{{.}}", "1.0"));
    }

    [Theory]
    [InlineData("{{.Name", "template: :1: unclosed action")]
    [InlineData("{{nosuch .Name}}", "template: :1: function \"nosuch\" not defined")]
    [InlineData("{{if .Name}}x", "template: :1: unexpected EOF: {{if}} has no {{end}}")]
    [InlineData("x{{end}}", "template: :1: unexpected {{end}}")]
    [InlineData("{{\"open}}", "template: :1: unterminated quoted string")]
    [InlineData("{{}}", "template: :1: missing value for command")]
    [InlineData("a\n{{.A | }}", "template: :2: missing command")]
    [InlineData("{{define \"x\"}}{{end}}", "template: :1: {{define}} is not supported in --format templates")]
    [InlineData("{{(.A}}", "template: :1: unexpected \"}}\" in parenthesized pipeline")]
    public void Parse_errors_read_like_Gos(string template, string message)
    {
        var e = Assert.Throws<TemplateException>(() => GoTemplate.Parse(template));
        Assert.True(e.IsParseError);
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void A_field_of_a_string_is_an_execution_error_naming_the_place()
    {
        var e = Assert.Throws<TemplateException>(() => Run("{{.Name.First}}"));
        Assert.False(e.IsParseError);
        Assert.Equal("template: :1:3: executing \"\" at <.Name.First>: can't evaluate field First in type string", e.Message);
    }

    [Theory]
    [InlineData("{{index .Config.Env 5}}", "error calling index: index out of range: 5")]
    [InlineData("{{len .RestartCount}}", "error calling len: len of type int")]
    [InlineData("{{json}}", "wrong number of args for json: want 1 got 0")]
    [InlineData("{{.Name .Id}}", "can't give argument to non-function .Name")]
    [InlineData("{{lt .Name 3}}", "error calling lt: incompatible types for comparison")]
    [InlineData("{{range .Name}}{{end}}", "range can't iterate over /client")]
    [InlineData("{{$nope}}", "undefined variable \"$nope\"")]
    public void Execution_errors_say_what_went_wrong(string template, string message)
    {
        var e = Assert.Throws<TemplateException>(() => Run(template));
        Assert.EndsWith(message, e.Message);
    }

    [Fact]
    public void Variables_do_not_leak_out_of_their_block()
    {
        var e = Assert.Throws<TemplateException>(() => Run("{{if true}}{{$x := 1}}{{end}}{{$x}}"));
        Assert.Contains("undefined variable \"$x\"", e.Message);
    }

    [Fact]
    public void A_template_can_run_many_times_over_different_data()
    {
        var template = GoTemplate.Parse("{{.Name}}");
        Assert.Equal("a", template.Execute(new Dictionary<string, object?> { ["Name"] = "a" }.ToOrdered()));
        Assert.Equal("b", template.Execute(new Dictionary<string, object?> { ["Name"] = "b" }.ToOrdered()));
    }
}

internal static class DictionaryExtensions
{
    public static OrderedDictionary<string, object?> ToOrdered(this Dictionary<string, object?> d) => new(d);
}
