using Plexus.Cli.Arguments;
using Plexus.Cli.Commands;
using Plexus.Client;
using Plexus.Cli.Tests.Support;

namespace Plexus.Cli.Tests.Requests;

public class ArgumentTests
{
    private static string[] Normalize(params string[] args)
    {
        var root = new PlexusRootCommand(new CliContext { Console = Plexus.Cli.Output.TextCliConsole.ForText(new StringWriter(), new StringWriter()), GetEnvironmentVariable = _ => null });
        return PassThroughArguments.Normalize(root, args);
    }

    [Theory]
    [InlineData("run --name a sh -c x", "run --name a -- sh -c x")]
    [InlineData("-H unix:///s run -d --name=a -p 80:80 sh -p", "-H unix:///s run -d --name=a -p 80:80 -- sh -p")]
    [InlineData("run --name a -- sh -c x", "run --name a -- sh -c x")]
    [InlineData("run -d --name a sh", "run -d --name a -- sh")]
    [InlineData("run -d false --name a sh", "run -d false --name a -- sh")]
    [InlineData("exec -e A=1 web ls -l", "exec -e A=1 web -- ls -l")]
    [InlineData("exec web", "exec web")]
    [InlineData("network create --subnet 10.0.0.0/24 web", "network create --subnet 10.0.0.0/24 web")]
    [InlineData("ps -a", "ps -a")]
    public void The_command_to_run_starts_at_its_first_word(string args, string expected) =>
        Assert.Equal(expected, string.Join(' ', Normalize(args.Split(' '))));

    [Theory]
    [InlineData("unix:///run/plexus/plexus.sock", "/run/plexus/plexus.sock")]
    [InlineData("unix:///tmp/x.sock", "/tmp/x.sock")]
    [InlineData("/tmp/bare.sock", "/tmp/bare.sock")]
    public void Unix_hosts(string text, string path) => Assert.Equal(path, DaemonHost.Parse(text).SocketPath);

    [Fact]
    public void Tcp_hosts()
    {
        var host = DaemonHost.Parse("tcp://127.0.0.1:2375");
        Assert.Null(host.SocketPath);
        Assert.Equal("127.0.0.1:2375", host.TcpAuthority);
    }

    [Theory]
    [InlineData("http://x")]
    [InlineData("unix://relative.sock")]
    [InlineData("tcp://")]
    [InlineData("tcp://host:2375/path")]
    public void Other_hosts_are_format_errors(string text) => Assert.Throws<FormatException>(() => DaemonHost.Parse(text));

    [Fact]
    public void The_host_flag_wins_over_the_environment_which_wins_over_the_default()
    {
        Assert.Equal("/flag.sock", DaemonHost.Resolve("unix:///flag.sock", "unix:///env.sock").SocketPath);
        Assert.Equal("/env.sock", DaemonHost.Resolve(null, "unix:///env.sock").SocketPath);
        Assert.Equal("/run/plexus/plexus.sock", DaemonHost.Resolve(null, null).SocketPath);
        Assert.Equal("/run/plexus/plexus.sock", DaemonHost.Resolve("", " ").SocketPath);
    }

    [Fact]
    public void Filters_collect_values_per_key_and_split_at_the_first_equals()
    {
        var filters = KeyValues.Filters(["label=a=b", "name=web", "label=c"]);
        Assert.Equal(["a=b", "c"], filters["label"]);
        Assert.Equal(["web"], filters["name"]);
        Assert.Equal("?filters=%7B%22label%22%3A%5B%22a%3Db%22%2C%22c%22%5D%2C%22name%22%3A%5B%22web%22%5D%7D", DaemonClient.FiltersQuery(filters, "?"));
        Assert.Equal("", DaemonClient.FiltersQuery(KeyValues.Filters([]), "?"));
    }

    [Fact]
    public void A_filter_without_a_value_is_a_usage_error() =>
        Assert.Equal("invalid --filter 'dangling': expected KEY=VALUE", Assert.Throws<UsageException>(() => KeyValues.Filters(["dangling"])).Message);

    [Theory]
    [InlineData("10.1.0.0/24", "10.1.0.255", true)]
    [InlineData("10.1.0.0/24", "10.1.1.0", false)]
    [InlineData("10.1.0.1/24", "10.1.0.77", true)]
    [InlineData("0.0.0.0/0", "192.0.2.1", true)]
    [InlineData("fd00:1::/64", "fd00:1::abcd", true)]
    [InlineData("fd00:1::/64", "fd00:2::1", false)]
    [InlineData("10.0.0.0/8", "::1", false)]
    [InlineData("10.1.0.0/23", "10.1.1.200", true)]
    public void Cidr_containment(string cidr, string ip, bool expected)
    {
        Assert.True(Cidr.TryParse(cidr, out var c));
        Assert.Equal(expected, c.Contains(System.Net.IPAddress.Parse(ip)));
    }

    [Theory]
    [InlineData("10.1.0.0")]
    [InlineData("10.1.0.0/33")]
    [InlineData("10.1.0.0/-1")]
    [InlineData("x/24")]
    [InlineData("/24")]
    public void Cidr_rejects(string text) => Assert.False(Cidr.TryParse(text, out _));
}
