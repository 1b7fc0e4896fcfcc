using Plexus.Engine.Controller;
using Plexus.Engine.Model;
using Plexus.Kernel.Types;

namespace Plexus.Engine.Tests.Controller;

/// <summary>
/// What a request may hold before anything is stored or written: values that end up as lines of a sandbox's
/// hosts and resolv.conf files (no line of their own), RFC 1123 names, and bounds on every list and map.
/// </summary>
public class RequestValidationTests
{
    private static PlexusException Refused(Action action)
    {
        var e = Assert.Throws<PlexusException>(action);
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        return e;
    }

    private static SandboxCreateRequest Sandbox(Func<SandboxCreateRequest, SandboxCreateRequest> with) => with(new SandboxCreateRequest { Name = "web" });

    [Theory]
    [InlineData("web")]
    [InlineData("web-1.example.com")]
    [InlineData("a")]
    [InlineData("0day")]
    [InlineData("")] // none: the short id, as Docker
    public void Hostnames_that_are_rfc_1123_names_pass(string hostname) =>
        RequestValidation.Check(Sandbox(r => r with { Hostname = hostname }));

    [Theory]
    [InlineData("a\nb", "control characters")]
    [InlineData("web\n10.0.0.1 evil", "control characters")]
    [InlineData("a b", "labels may hold only")]
    [InlineData("-web", "labels may hold only")]
    [InlineData("web-", "labels may hold only")]
    [InlineData("we_b", "labels may hold only")]
    [InlineData("a..b", "empty label")]
    [InlineData(".web", "empty label")]
    [InlineData("web#1", "labels may hold only")]
    public void Hostnames_that_would_write_a_line_or_are_not_names_are_refused(string hostname, string reason)
    {
        var e = Refused(() => RequestValidation.Check(Sandbox(r => r with { Hostname = hostname })));
        Assert.Contains("hostname", e.Message, StringComparison.Ordinal);
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Hostname_lengths_follow_rfc_1123_and_the_kernels_limit()
    {
        var label63 = new string('a', 63);
        RequestValidation.Check(Sandbox(r => r with { Hostname = label63 }));
        Assert.Contains("at most 63", Refused(() => RequestValidation.Check(Sandbox(r => r with { Hostname = new string('a', 64) }))).Message, StringComparison.Ordinal);
        // 64 characters in labels of 63 or less is the longest UTS name the kernel takes.
        var longest = new string('a', 31) + "." + new string('b', 32);
        RequestValidation.Check(Sandbox(r => r with { Hostname = longest }));
        var over = Refused(() => RequestValidation.Check(Sandbox(r => r with { Hostname = longest + "c" })));
        Assert.Contains("HOST_NAME_MAX", over.Message, StringComparison.Ordinal);
        var huge = Refused(() => RequestValidation.Check(Sandbox(r => r with { Hostname = new string('a', 10_000) })));
        Assert.Contains("10000 characters", huge.Message, StringComparison.Ordinal);
        Assert.True(huge.Message.Length < 400, "the message shows the value cut short: " + huge.Message.Length);
    }

    [Theory]
    [InlineData("db")]
    [InlineData("my_service")]
    [InlineData("db.internal")]
    public void Aliases_are_dns_names_and_may_hold_underscores(string alias) =>
        RequestValidation.Check(new EndpointCreateRequest { Aliases = [alias] });

    [Theory]
    [InlineData("db\nevil")]
    [InlineData("db evil")]
    [InlineData("")]
    [InlineData("a..b")]
    public void Aliases_with_line_breaks_spaces_or_empty_labels_are_refused(string alias) =>
        Assert.Contains("network alias", Refused(() => RequestValidation.Check(new EndpointCreateRequest { Aliases = [alias] })).Message, StringComparison.Ordinal);

    [Fact]
    public void Link_aliases_are_checked_like_network_aliases() =>
        Assert.Contains("link alias",
            Refused(() => RequestValidation.Check(Sandbox(r => r with { Links = [new SandboxLink("db", "db\n6.6.6.6 x")] }))).Message,
            StringComparison.Ordinal);

    [Theory]
    [InlineData("db:10.0.0.9")]
    [InlineData("db:2001:db8::9")]
    [InlineData("my_db.local:::ffff:10.0.0.1")]
    public void Extra_hosts_are_a_name_and_an_address(string entry) =>
        RequestValidation.Check(Sandbox(r => r with { ExtraHosts = [entry] }));

    [Theory]
    [InlineData("evil:1.2.3.4\n6.6.6.6 injected")]
    [InlineData("evil\nx:1.2.3.4")]
    [InlineData("evil")]
    [InlineData(":1.2.3.4")]
    [InlineData("evil:not-an-address")]
    [InlineData("evil: 1.2.3.4")]
    [InlineData("evil:1")]
    [InlineData("evil:host-gateway")]
    public void Extra_hosts_that_are_not_a_name_and_an_address_are_refused(string entry) =>
        Assert.Contains("extra host", Refused(() => RequestValidation.Check(Sandbox(r => r with { ExtraHosts = [entry] }))).Message, StringComparison.Ordinal);

    [Fact]
    public void Dns_servers_are_addresses_search_domains_names_and_options_single_words()
    {
        RequestValidation.Check(Sandbox(r => r with
        {
            DnsServers = ["192.0.2.53", "2001:db8::53"],
            DnsSearch = ["example.com", "corp.example.com.", "."],
            DnsOptions = ["ndots:2", "edns0", "single-request-reopen", "timeout:1"],
        }));
        Assert.Contains("DNS server", Refused(() => RequestValidation.Check(Sandbox(r => r with { DnsServers = ["192.0.2.53\nnameserver 6.6.6.6"] }))).Message, StringComparison.Ordinal);
        Assert.Contains("DNS server", Refused(() => RequestValidation.Check(Sandbox(r => r with { DnsServers = ["dns.example.com"] }))).Message, StringComparison.Ordinal);
        Assert.Contains("DNS server", Refused(() => RequestValidation.Check(Sandbox(r => r with { DnsServers = ["0.0.0.0"] }))).Message, StringComparison.Ordinal);
        Assert.Contains("DNS search domain", Refused(() => RequestValidation.Check(Sandbox(r => r with { DnsSearch = ["x\nnameserver 6.6.6.6"] }))).Message, StringComparison.Ordinal);
        Assert.Contains("DNS search domain", Refused(() => RequestValidation.Check(Sandbox(r => r with { DnsSearch = ["a b"] }))).Message, StringComparison.Ordinal);
        Assert.Contains("DNS option", Refused(() => RequestValidation.Check(Sandbox(r => r with { DnsOptions = ["ndots:1\nnameserver 6.6.6.6"] }))).Message, StringComparison.Ordinal);
        Assert.Contains("DNS option", Refused(() => RequestValidation.Check(Sandbox(r => r with { DnsOptions = ["ndots:1 rotate"] }))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Names_of_networks_and_sandboxes_are_bounded()
    {
        RequestValidation.Check(new NetworkCreateRequest { Name = new string('n', RequestLimits.MaxNameLength) });
        var e = Refused(() => RequestValidation.Check(new NetworkCreateRequest { Name = new string('n', 10 * 1024 * 1024) }));
        Assert.Contains("network name", e.Message, StringComparison.Ordinal);
        Assert.Contains("at most 253", e.Message, StringComparison.Ordinal);
        Assert.Contains("sandbox name", Refused(() => RequestValidation.Check(new SandboxCreateRequest { Name = new string('s', 254) })).Message, StringComparison.Ordinal);
        Assert.Contains("sandbox name", Refused(() => RequestValidation.Check(new SandboxCreateRequest { Name = "a\nb" })).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Labels_and_options_are_bounded_in_number_and_size()
    {
        var many = Enumerable.Range(0, 100_000).ToDictionary(i => $"k{i}", _ => "v");
        var e = Refused(() => RequestValidation.Check(new NetworkCreateRequest { Name = "web", Labels = many }));
        Assert.Contains("too many entries in network label", e.Message, StringComparison.Ordinal);
        Assert.Contains("100000", e.Message, StringComparison.Ordinal);
        Assert.Contains("network option", Refused(() => RequestValidation.Check(new NetworkCreateRequest { Name = "web", Options = many })).Message, StringComparison.Ordinal);
        Assert.Contains("label", Refused(() => RequestValidation.Check(Sandbox(r => r with { Labels = many }))).Message, StringComparison.Ordinal);
        var longKey = new Dictionary<string, string> { [new string('k', RequestLimits.MaxKeyLength + 1)] = "v" };
        Assert.Contains("key", Refused(() => RequestValidation.Check(new NetworkCreateRequest { Name = "web", Labels = longKey })).Message, StringComparison.Ordinal);
        var longValue = new Dictionary<string, string> { ["k"] = new string('v', RequestLimits.MaxValueLength + 1) };
        Assert.Contains("its value has", Refused(() => RequestValidation.Check(new NetworkCreateRequest { Name = "web", Labels = longValue })).Message, StringComparison.Ordinal);
        var nullValue = new Dictionary<string, string> { ["k"] = null! };
        Assert.Contains("null", Refused(() => RequestValidation.Check(new NetworkCreateRequest { Name = "web", Labels = nullValue })).Message, StringComparison.Ordinal);
        // Label values are data, not file lines: a newline in one is kept as given.
        RequestValidation.Check(new NetworkCreateRequest { Name = "web", Labels = new Dictionary<string, string> { ["note"] = "two\nlines" } });
    }

    [Fact]
    public void Lists_are_bounded_and_hold_no_null()
    {
        var aliases = Enumerable.Range(0, RequestLimits.MaxListEntries + 1).Select(i => $"a{i}").ToList();
        Assert.Contains("too many entries in network alias", Refused(() => RequestValidation.Check(new EndpointCreateRequest { Aliases = aliases })).Message, StringComparison.Ordinal);
        Assert.Contains("null", Refused(() => RequestValidation.Check(Sandbox(r => r with { DnsSearch = [null!] }))).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("01:00:5e:00:00:01", "multicast")]
    [InlineData("ff:ff:ff:ff:ff:ff", "broadcast")]
    [InlineData("00:00:00:00:00:00", "all-zero")]
    [InlineData("03:42:ac:11:00:02", "multicast")]
    public void Mac_addresses_must_be_unicast_and_not_zero(string mac, string reason)
    {
        var e = Refused(() => RequestValidation.Check(new EndpointCreateRequest { Mac = MacAddress.Parse(mac) }));
        Assert.Contains("MAC address", e.Message, StringComparison.Ordinal);
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
        RequestValidation.Check(new EndpointCreateRequest { Mac = MacAddress.Parse("02:42:ac:11:00:02") });
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MaxValue)]
    [InlineData(int.MinValue)]
    public void Impossible_pids_are_refused(int pid) =>
        Assert.Contains("PID", Refused(() => RequestValidation.Check(Sandbox(r => r with { Pid = pid, Mode = SandboxNamespaceMode.Pid }))).Message, StringComparison.Ordinal);

    [Fact]
    public void A_pid_of_no_running_process_is_refused_and_a_running_one_passes()
    {
        RequestValidation.Pid(Environment.ProcessId);
        var max = int.Parse(File.ReadAllText("/proc/sys/kernel/pid_max").Trim(), System.Globalization.CultureInfo.InvariantCulture);
        var free = Enumerable.Range(2, max - 2).Reverse().First(p => !Directory.Exists($"/proc/{p}"));
        Assert.Contains("no process", Refused(() => RequestValidation.Pid(free)).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(RequestLimits.MaxExecTimeoutSeconds + 1)]
    [InlineData(int.MaxValue)]
    public void Exec_timeouts_are_positive_and_bounded(int seconds)
    {
        Assert.Contains("timeout", Refused(() => RequestValidation.ExecTimeout(seconds, 60)).Message, StringComparison.Ordinal);
        Assert.Equal(60, RequestValidation.ExecTimeout(null, 60));
    }

    [Fact]
    public void Commands_hold_no_nul_and_no_argument_longer_than_the_kernel_takes()
    {
        RequestValidation.Command(["sh", "-c", "echo 'two\nlines'"]);
        Assert.Contains("NUL", Refused(() => RequestValidation.Command(["tr", "a", "\0"])).Message, StringComparison.Ordinal);
        Assert.Contains("null", Refused(() => RequestValidation.Command([null!])).Message, StringComparison.Ordinal);
        Assert.Contains("no command", Refused(() => RequestValidation.Command([])).Message, StringComparison.Ordinal);
        Assert.Contains("per argument", Refused(() => RequestValidation.Command(["echo", new string('x', RequestLimits.MaxArgumentLength + 1)])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Values_in_messages_are_escaped_and_cut_short()
    {
        Assert.Equal("\"a\\nb\\u0001\"", RequestValidation.Show("a\nb\u0001"));
        Assert.Equal("null", RequestValidation.Show(null));
        var shown = RequestValidation.Show(new string('x', 1_000_000));
        Assert.EndsWith("... (1000000 characters)", shown, StringComparison.Ordinal);
        Assert.True(shown.Length < 100);
    }
}
