using System.Text.Json;
using Plexus.Cli.Commands;
using Plexus.Client;
using Plexus.Cli.Tests.Support;

namespace Plexus.Cli.Tests.Requests;

/// <summary>run, create and exec flags into the bodies of POST /plexus/sandboxes and .../exec.</summary>
public class SandboxRequestTests
{
    private static string RunBody(params string[] args) => RunBody(new Dictionary<string, string>(), args);

    private static string RunBody(Dictionary<string, string> environment, params string[] args)
    {
        var (command, parse) = PlexusCli.Parse<RunCommand>(environment, ["run", .. args]);
        return JsonSerializer.Serialize(command.BuildRequest(parse), DaemonClient.RequestJson.SandboxCreateJson);
    }

    [Fact]
    public void Run_with_a_network_a_published_port_a_link_and_a_command() =>
        JsonAssert.Equal("""
            { "Name": "a", "Network": "web", "Publish": ["8080:80"], "Links": ["b:bb"], "Cmd": ["busybox", "httpd", "-f"] }
            """, RunBody("--name", "a", "--network", "web", "-p", "8080:80", "--link", "b:bb", "--", "busybox", "httpd", "-f"));

    [Fact]
    public void Flags_after_the_command_belong_to_the_command_as_with_docker() =>
        JsonAssert.Equal("""
            { "Name": "a", "Network": "web", "Cmd": ["busybox", "httpd", "-f", "-p", "80", "--name", "x"] }
            """, RunBody("-d", "--name", "a", "--net=web", "busybox", "httpd", "-f", "-p", "80", "--name", "x"));

    [Fact]
    public void Run_with_every_network_flag() =>
        JsonAssert.Equal("""
            {
              "Name": "full", "Network": "web", "IPv4Address": "10.1.0.9", "IPv6Address": "fd00::9", "MacAddress": "92:d0:c6:0a:29:33",
              "Aliases": ["api", "v1"], "Publish": ["127.0.0.1:8080:80/tcp", "9000-9001:9000-9001/udp"], "Expose": ["7000/tcp", "7001"],
              "Links": ["db"], "Hostname": "full.local", "Dns": ["1.1.1.1", "9.9.9.9"], "DnsSearch": ["example.org"], "DnsOptions": ["ndots:2"],
              "ExtraHosts": ["gw:10.1.0.1"], "Labels": { "team": "net" }, "Env": ["MODE=test"], "Cmd": ["sleep", "1000"]
            }
            """, RunBody("--name", "full", "--network", "web", "--ip", "10.1.0.9", "--ip6", "fd00::9", "--mac-address", "92:d0:c6:0a:29:33",
                "--network-alias", "api", "--net-alias", "v1", "-p", "127.0.0.1:8080:80/tcp", "--publish", "9000-9001:9000-9001/udp",
                "--expose", "7000/tcp", "--expose", "7001", "--link", "db", "--hostname", "full.local", "--dns", "1.1.1.1", "--dns", "9.9.9.9",
                "--dns-search", "example.org", "--dns-option", "ndots:2", "--add-host", "gw:10.1.0.1", "-l", "team=net", "-e", "MODE=test",
                "sleep", "1000"));

    [Fact]
    public void Run_without_a_command_only_holds_the_network() =>
        JsonAssert.Equal("""{ "Name": "holder", "Network": "web" }""", RunBody("--name", "holder", "--network", "web"));

    [Fact]
    public void Env_without_a_value_takes_the_callers_and_is_left_out_when_unset() =>
        JsonAssert.Equal("""{ "Name": "e", "Env": ["A=1", "HOME=/home/me"], "Cmd": ["env"] }""",
            RunBody(new Dictionary<string, string> { ["HOME"] = "/home/me" }, "--name", "e", "-e", "A=1", "-e", "HOME", "-e", "UNSET_HERE", "env"));

    [Fact]
    public async Task Run_without_a_name_is_a_usage_error()
    {
        var result = await PlexusCli.RunAsync(["run", "--network", "web", "--", "true"]);
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Equal("plexus run: Option '--name' is required.\nSee 'plexus run --help'.\n", result.Err);
        Assert.Equal("", result.Out);
    }

    [Fact]
    public void Create_adopting_a_process_namespace()
    {
        var (command, parse) = PlexusCli.Parse<CreateCommand>("create", "--name", "c1", "--pid", "1234", "--network", "web", "--ip", "10.1.0.9");
        JsonAssert.Equal("""{ "Name": "c1", "Pid": 1234, "Network": "web", "IPv4Address": "10.1.0.9" }""",
            JsonSerializer.Serialize(command.BuildRequest(parse), DaemonClient.RequestJson.SandboxCreateJson));
    }

    [Fact]
    public void Create_adopting_a_namespace_path()
    {
        var (command, parse) = PlexusCli.Parse<CreateCommand>("create", "--name", "c2", "--netns", "/run/netns/c2");
        JsonAssert.Equal("""{ "Name": "c2", "NetnsPath": "/run/netns/c2" }""",
            JsonSerializer.Serialize(command.BuildRequest(parse), DaemonClient.RequestJson.SandboxCreateJson));
    }

    [Theory]
    [InlineData("--netns and --pid both name a namespace to adopt; give one", "--netns", "/run/netns/x", "--pid", "5")]
    [InlineData("invalid --pid 0: expected the id of a running process", "--pid", "0")]
    public void Create_rejects_contradictory_namespaces(string message, params string[] flags)
    {
        var (command, parse) = PlexusCli.Parse<CreateCommand>(["create", "--name", "x", .. flags]);
        Assert.Equal(message, Assert.Throws<UsageException>(() => command.BuildRequest(parse)).Message);
    }

    [Fact]
    public async Task Create_with_a_pid_that_is_not_a_number_is_a_usage_error()
    {
        var result = await PlexusCli.RunAsync(["create", "--name", "x", "--pid", "abc"]);
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.StartsWith("plexus create: Cannot parse argument 'abc' for option '--pid'", result.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Exec_takes_everything_after_the_sandbox_as_the_command()
    {
        var (command, parse) = PlexusCli.Parse<ExecCommand>("exec", "web", "ls", "-l", "-e", "/");
        var (sandbox, body) = command.BuildRequest(parse);
        Assert.Equal("web", sandbox);
        JsonAssert.Equal("""{ "Cmd": ["ls", "-l", "-e", "/"] }""", JsonSerializer.Serialize(body, DaemonClient.RequestJson.ExecJson));
    }

    [Fact]
    public void Exec_with_environment_and_timeout()
    {
        var (command, parse) = PlexusCli.Parse<ExecCommand>(new Dictionary<string, string> { ["TERM"] = "xterm" }, "exec", "-e", "A=b=c", "-e", "TERM", "--timeout", "5", "web", "--", "env");
        JsonAssert.Equal("""{ "Cmd": ["env"], "Env": ["A=b=c", "TERM=xterm"], "Timeout": 5 }""",
            JsonSerializer.Serialize(command.BuildRequest(parse).Body, DaemonClient.RequestJson.ExecJson));
    }

    [Fact]
    public void Run_takes_dockers_capability_flags() =>
        JsonAssert.Equal("""{ "Name": "c", "CapAdd": ["NET_ADMIN", "sys_time"], "CapDrop": ["NET_RAW"], "Privileged": true }""",
            RunBody("--name", "c", "--cap-add", "NET_ADMIN", "--cap-add", "sys_time", "--cap-drop", "NET_RAW", "--privileged"));

    [Fact]
    public void Exec_privileged()
    {
        var (command, parse) = PlexusCli.Parse<ExecCommand>("exec", "--privileged", "web", "ip", "link");
        JsonAssert.Equal("""{ "Cmd": ["ip", "link"], "Privileged": true }""", JsonSerializer.Serialize(command.BuildRequest(parse).Body, DaemonClient.RequestJson.ExecJson));
    }

    [Fact]
    public async Task Exec_without_a_command_is_a_usage_error()
    {
        var result = await PlexusCli.RunAsync(["exec", "web"]);
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("See 'plexus exec --help'.", result.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Words_starting_with_at_are_not_read_as_response_files()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "--label\nfrom=file\n");
            var (command, parse) = PlexusCli.Parse<RunCommand>("run", "--name", "@" + file, "echo", "@" + file);
            var body = command.BuildRequest(parse);
            Assert.Equal(("@" + file, null), (body.Name, body.Labels));
            Assert.Equal(["echo", "@" + file], body.Cmd!);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("--link=b:bb", "-p=8080:80")]
    [InlineData("--link", "b:bb", "-p", "8080:80")]
    [InlineData("--link:b:bb", "-p:8080:80")]
    public void Glued_values_keep_their_colons(params string[] flags) =>
        JsonAssert.Equal("""{ "Name": "a", "Publish": ["8080:80"], "Links": ["b:bb"] }""", RunBody(["--name", "a", .. flags]));
}
