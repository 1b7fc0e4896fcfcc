using System.Net;
using Plexus.Daemon.Config;
using Plexus.Engine.Model;

namespace Plexus.Daemon.Tests.Unit;

/// <summary>
/// plexusd's command line: every option in every form System.CommandLine took, usage errors that name the
/// option, --help and --version, and the order defaults, config file, flags. No file under /etc is read: each
/// test passes a default config path of its own.
/// </summary>
public sealed class DaemonArgumentsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("plexus-args-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string NoDefaultFile => Path.Combine(_dir, "absent.json");

    private DaemonSettings Settings(params string[] args)
    {
        var parsed = DaemonArguments.Parse(args);
        Assert.Equal(DaemonCommand.Run, parsed.Command);
        return parsed.Settings(NoDefaultFile);
    }

    private static string UsageError(params string[] args)
    {
        var e = Assert.Throws<PlexusException>(() => DaemonArguments.Parse(args));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.EndsWith("(see plexusd --help)", e.Message, StringComparison.Ordinal);
        return e.Message;
    }

    private string SettingsError(params string[] args)
    {
        var e = Assert.Throws<PlexusException>(() => Settings(args));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        return e.Message;
    }

    private string ConfigFile(string json)
    {
        var path = Path.Combine(_dir, $"daemon-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void No_arguments_are_the_defaults()
    {
        Assert.Equal(new DaemonSettings(), Settings());
    }

    [Fact]
    public void Every_option_sets_its_setting()
    {
        var ca = ConfigFile("");
        var s = Settings(
            "--host", "unix:///tmp/p.sock", "--data-root", "/srv/plexus", "--exec-root", "/run/px",
            "--firewall-backend", "iptables", "--icc=false", "--ip-masq=false", "--bip", "172.30.0.1/16",
            "--default-address-pool", "base=10.10.0.0/16,size=24", "--dns", "192.0.2.53", "--mtu", "1450",
            "--log-format", "json", "--group", "docker", "--cluster-store", "etcd://10.0.0.1:2379",
            "--cluster-advertise", "10.0.0.2", "--cluster-store-opt", $"kv.cacertfile={ca}",
            "--plugin-socket", "none", "--log-level", "debug");
        Assert.Equal("/tmp/p.sock", s.SocketPath);
        Assert.Equal("/srv/plexus", s.DataRoot);
        Assert.Equal("/run/px", s.ExecRoot);
        Assert.Equal("iptables", s.FirewallBackend);
        Assert.False(s.Icc);
        Assert.False(s.IPMasquerade);
        Assert.Equal("172.30.0.1/16", s.Bip);
        Assert.Equal([(IPNetwork.Parse("10.10.0.0/16"), 24)], s.DefaultAddressPools);
        Assert.Equal(["192.0.2.53"], s.Dns);
        Assert.Equal(1450, s.Mtu);
        Assert.Equal("json", s.LogFormat);
        Assert.Equal("docker", s.Group);
        Assert.True(s.GroupExplicit);
        Assert.Equal("etcd://10.0.0.1:2379", s.ClusterStore);
        Assert.Equal("10.0.0.2", s.ClusterAdvertise);
        Assert.Equal(ca, s.ClusterStoreOpts["kv.cacertfile"]);
        Assert.Null(s.PluginSocket);
        Assert.Equal("debug", s.LogLevel);
        Assert.Equal(IPAddress.Parse("10.0.0.2"), s.WithCluster().Cluster!.Vtep);
    }

    [Theory]
    [InlineData("--data-root", "/srv/a")]
    [InlineData("--data-root=/srv/a")]
    [InlineData("--data-root:/srv/a")]
    public void A_long_option_takes_its_value_after_a_space_an_equals_sign_or_a_colon(params string[] args) =>
        Assert.Equal("/srv/a", Settings(args).DataRoot);

    [Theory]
    [InlineData("-H", "unix:///tmp/s.sock")]
    [InlineData("-Hunix:///tmp/s.sock")]
    [InlineData("-H=unix:///tmp/s.sock")]
    [InlineData("--host=unix:///tmp/s.sock")]
    [InlineData("--host:unix:///tmp/s.sock")]
    public void Short_aliases_take_their_value_apart_or_attached(params string[] args) =>
        Assert.Equal("/tmp/s.sock", Settings(args).SocketPath);

    [Fact]
    public void The_other_short_aliases_are_group_and_log_level()
    {
        var s = Settings("-G", "docker", "-lwarn");
        Assert.Equal("docker", s.Group);
        Assert.Equal("warn", s.LogLevel);
    }

    [Theory]
    [InlineData(true, "--icc")]
    [InlineData(true, "--icc", "true")]
    [InlineData(false, "--icc", "false")]
    [InlineData(false, "--icc", "False")]
    [InlineData(false, "--icc=false")]
    [InlineData(false, "--icc:false")]
    [InlineData(true, "--icc=TRUE")]
    [InlineData(false, "--icc", "--icc=false")]
    [InlineData(true, "--icc=false", "--icc")]
    public void A_switch_alone_is_true_and_takes_true_or_false_as_its_value(bool expected, params string[] args)
    {
        var s = Settings([.. args, "--data-root", "/srv/x"]);
        Assert.Equal(expected, s.Icc);
        Assert.Equal("/srv/x", s.DataRoot); // the next option is not eaten as the switch's value
    }

    [Fact]
    public void Ip_masq_is_a_switch_too()
    {
        Assert.False(Settings("--ip-masq", "false").IPMasquerade);
        Assert.True(Settings("--ip-masq").IPMasquerade);
        Assert.True(Settings("--ip-masq", "--icc", "false").IPMasquerade);
    }

    [Fact]
    public void Repeatable_options_keep_every_value_in_order()
    {
        var s = Settings(
            "--dns", "192.0.2.53", "--dns=2001:db8::53",
            "--default-address-pool", "base=10.10.0.0/16,size=24", "--default-address-pool=base=10.20.0.0/16,size=26",
            "--cluster-store-opt", "kv.certfile=/a", "--cluster-store-opt", "kv.keyfile=/b", "--cluster-store-opt", "kv.certfile=/c");
        Assert.Equal(["192.0.2.53", "2001:db8::53"], s.Dns);
        Assert.Equal([(IPNetwork.Parse("10.10.0.0/16"), 24), (IPNetwork.Parse("10.20.0.0/16"), 26)], s.DefaultAddressPools);
        Assert.Equal("/c", s.ClusterStoreOpts["kv.certfile"]); // the last of one key wins, as before
        Assert.Equal("/b", s.ClusterStoreOpts["kv.keyfile"]);
    }

    [Theory]
    [InlineData("unknown option '--bogus'", "--bogus")]
    [InlineData("unknown option '--DATA-ROOT'", "--DATA-ROOT", "/x")]
    [InlineData("unknown option '-x'", "-x")]
    [InlineData("unexpected argument 'extra': plexusd takes only options", "extra")]
    [InlineData("unexpected argument '@args.rsp'", "@args.rsp")]
    [InlineData("unexpected argument '--foo'", "--", "--foo")]
    [InlineData("unexpected argument '8.8.8.8'", "--dns", "1.1.1.1", "8.8.8.8")]
    [InlineData("unexpected argument 'bogus'", "--icc", "bogus")]
    [InlineData("unexpected argument '0'", "--icc", "0")]
    [InlineData("invalid --icc 'bogus': expected true or false", "--icc=bogus")]
    [InlineData("invalid --ip-masq '': expected true or false", "--ip-masq=")]
    [InlineData("option '--data-root' needs a value: --data-root <data-root>", "--data-root")]
    [InlineData("option '--data-root' needs a value", "--data-root", "--exec-root", "/x")]
    [InlineData("option '--data-root' needs a value", "--data-root", "--")]
    [InlineData("option '--data-root' needs a value", "--data-root=")]
    [InlineData("option '-H' needs a value: -H, --host <host>", "-H")]
    [InlineData("option '--host' needs a value", "-H=")]
    [InlineData("option '--mtu' needs a value: --mtu <mtu>", "--mtu", "-H", "/x")]
    [InlineData("option --host takes one value but was given more than once", "--host=/x", "-H", "/y")]
    [InlineData("option --mtu takes one value but was given more than once", "--mtu", "1400", "--mtu", "1500")]
    public void Usage_errors_name_the_option_or_argument(string expected, params string[] args) =>
        Assert.StartsWith(expected, UsageError(args), StringComparison.Ordinal);

    [Theory]
    [InlineData("invalid --mtu 'abc': expected a whole number", "--mtu", "abc")]
    [InlineData("invalid --mtu '1e3': expected a whole number", "--mtu=1e3")]
    [InlineData("invalid --mtu 20: expected 68 to 65535", "--mtu", "20")]
    [InlineData("invalid --mtu -5: expected 68 to 65535", "--mtu", "-5")]
    [InlineData("invalid firewall backend 'pf'", "--firewall-backend", "pf")]
    [InlineData("invalid --bip '172.30.0.1'", "--bip", "172.30.0.1")]
    [InlineData("invalid --dns 'resolver.example': not an IP address", "--dns", "192.0.2.53", "--dns", "resolver.example")]
    [InlineData("invalid --default-address-pool '10.0.0.0/8'", "--default-address-pool", "10.0.0.0/8")]
    [InlineData("invalid --log-format 'xml'", "--log-format", "xml")]
    [InlineData("invalid --log-level 'trace'", "-l", "trace")]
    [InlineData("invalid --plugin-socket 'relative.sock'", "--plugin-socket", "relative.sock")]
    [InlineData("invalid --cluster-store-opt 'kv.certfile'", "--cluster-store-opt", "kv.certfile")]
    public void Bad_values_are_refused_by_the_same_checks_as_daemon_json(string expected, params string[] args) =>
        Assert.StartsWith(expected, SettingsError(args), StringComparison.Ordinal);

    [Fact]
    public void Cluster_options_are_checked_together_once_all_are_read()
    {
        var s = Settings("--cluster-advertise", "10.0.0.2");
        var e = Assert.Throws<PlexusException>(s.WithCluster);
        Assert.Contains("--cluster-advertise needs --cluster-store", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("-?")]
    [InlineData("/h")]
    [InlineData("/?")]
    [InlineData("--data-root", "/x", "--help")]
    [InlineData("--help", "--bogus")] // help wins over a usage error, as it did
    [InlineData("--version", "--help")] // the last of help and version wins, as it did
    public void Help_is_asked_for(params string[] args) =>
        Assert.Equal(DaemonCommand.Help, DaemonArguments.Parse(args).Command);

    [Theory]
    [InlineData("--version")]
    [InlineData("--version", "--bogus")]
    [InlineData("--mtu", "abc", "--version")]
    [InlineData("-h", "--version")]
    public void Version_is_asked_for(params string[] args) =>
        Assert.Equal(DaemonCommand.Version, DaemonArguments.Parse(args).Command);

    [Fact]
    public void Version_is_the_assemblys_informational_version()
    {
        // 1.0.0+COMMIT, as System.CommandLine's --version printed it
        Assert.Matches(@"^\d+\.\d+\.\d+", DaemonArguments.Version);
    }

    [Fact]
    public void Help_lists_every_option_with_its_names_value_and_description()
    {
        var lines = DaemonArguments.Usage().Split('\n');
        Assert.Equal("Description:", lines[0]);
        Assert.Contains("  plexusd [options]", lines);
        List<(string Left, string Description)> rows =
        [
            .. DaemonOption.All
                .Select(o => (Names: o.Short is { } c ? $"-{c}, {o.Name}" : o.Name, Option: o))
                .Select(r => (r.Option.Arity == OptionArity.Switch ? r.Names : $"{r.Names} <{r.Option.ValueName}>", r.Option.Description)),
            ("-?, -h, --help", "Show help and usage information"),
            ("--version", "Show version information"),
        ];
        Assert.Contains(rows, r => r.Left == "--config-file <config-file>" && r.Description.EndsWith("[default: /etc/plexus/daemon.json]", StringComparison.Ordinal));
        var columns = rows.Select(r =>
        {
            var line = Assert.Single(lines, l => l.StartsWith($"  {r.Left}  ", StringComparison.Ordinal) && l.EndsWith(r.Description, StringComparison.Ordinal));
            return line.Length - r.Description.Length;
        });
        Assert.Single(columns.Distinct()); // the descriptions line up in one column
    }

    [Fact]
    public void Options_override_the_config_file()
    {
        var file = ConfigFile("""{ "data-root": "/srv/file", "bip": "10.99.0.1/24", "mtu": 1400, "dns": ["192.0.2.1"], "icc": false }""");
        var s = Settings("--config-file", file, "--bip", "10.98.0.1/24", "--dns", "192.0.2.2", "--dns", "192.0.2.3");
        Assert.Equal("/srv/file", s.DataRoot); // from the file
        Assert.Equal(1400, s.Mtu);
        Assert.False(s.Icc);
        Assert.Equal("10.98.0.1/24", s.Bip); // the option over the file
        Assert.Equal(["192.0.2.2", "192.0.2.3"], s.Dns); // a repeatable option replaces the file's list
        Assert.True(Settings("--config-file=" + file, "--icc").Icc);
    }

    [Fact]
    public void Options_override_the_config_file_wherever_it_is_named_on_the_line()
    {
        var file = ConfigFile("""{ "mtu": 1400 }""");
        Assert.Equal(1500, Settings("--mtu", "1500", "--config-file", file).Mtu);
    }

    [Fact]
    public void The_default_config_file_is_read_only_when_it_exists()
    {
        var file = ConfigFile("""{ "log-format": "json" }""");
        Assert.Equal("json", DaemonArguments.Parse([]).Settings(file).LogFormat);
        Assert.Equal("text", DaemonArguments.Parse(["--log-format", "text"]).Settings(file).LogFormat);
        Assert.Equal(new DaemonSettings(), DaemonArguments.Parse([]).Settings(NoDefaultFile));
    }

    [Fact]
    public void An_explicit_config_file_must_exist_even_when_it_is_the_default_path()
    {
        var e = Assert.Throws<PlexusException>(() => DaemonArguments.Parse(["--config-file", NoDefaultFile]).Settings(NoDefaultFile));
        Assert.Equal($"config file {NoDefaultFile} does not exist", e.Message);
    }

    [Fact]
    public void An_explicit_config_file_replaces_the_default_one()
    {
        var fallback = ConfigFile("""{ "log-format": "json" }""");
        var named = ConfigFile("""{ "mtu": 1400 }""");
        var s = DaemonArguments.Parse(["--config-file", named]).Settings(fallback);
        Assert.Equal("text", s.LogFormat);
        Assert.Equal(1400, s.Mtu);
    }

    [Fact]
    public void A_bad_config_file_is_refused_naming_it()
    {
        var file = ConfigFile("""{ "colour": "blue" }""");
        Assert.Contains("unknown key \"colour\"", SettingsError("--config-file", file), StringComparison.Ordinal);
    }
}
