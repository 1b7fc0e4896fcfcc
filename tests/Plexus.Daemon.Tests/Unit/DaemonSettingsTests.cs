using System.Net;
using Plexus.Daemon.Config;
using Plexus.Engine.Model;

namespace Plexus.Daemon.Tests.Unit;

/// <summary>plexusd's settings: dockerd's defaults, daemon.json read on top of them, and bad values refused naming the key.</summary>
public sealed class DaemonSettingsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("plexus-settings-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private DaemonSettings Read(string json)
    {
        var path = Path.Combine(_dir, "daemon.json");
        File.WriteAllText(path, json);
        return new DaemonSettings().WithFile(path);
    }

    private string Refused(string json)
    {
        var e = Assert.Throws<PlexusException>(() => Read(json));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.Contains("daemon.json", e.Message, StringComparison.Ordinal);
        return e.Message;
    }

    [Fact]
    public void Defaults_are_dockerds()
    {
        var s = new DaemonSettings();
        Assert.Equal("/run/plexus/plexus.sock", s.SocketPath);
        Assert.Equal("/var/lib/plexus", s.DataRoot);
        Assert.Equal("/run/plexus", s.ExecRoot);
        Assert.Equal("nftables", s.FirewallBackend);
        Assert.True(s.Icc);
        Assert.True(s.IPMasquerade);
        Assert.True(s.DefaultBridge);
        Assert.Null(s.Bip);
        Assert.Null(s.Mtu);
        Assert.Empty(s.DefaultAddressPools);
        Assert.Empty(s.Dns);
        Assert.Equal("text", s.LogFormat);
        Assert.Equal("plexus", s.Group);
        Assert.False(s.GroupExplicit);
    }

    [Fact]
    public void Every_key_of_daemon_json_is_read()
    {
        var s = Read("""
            {
              // comments and trailing commas, as dockerd takes them
              "hosts": ["unix:///tmp/p.sock"],
              "data-root": "/srv/plexus",
              "exec-root": "/run/px",
              "firewall-backend": "iptables",
              "icc": false,
              "ip-masq": false,
              "bip": "172.30.0.1/16",
              "default-address-pools": [{ "base": "10.10.0.0/16", "size": 24 }],
              "dns": ["192.0.2.53", "2001:db8::53"],
              "mtu": 1450,
              "bridge": "none",
              "log-format": "json",
              "group": "docker",
            }
            """);
        Assert.Equal("/tmp/p.sock", s.SocketPath);
        Assert.Equal("/srv/plexus", s.DataRoot);
        Assert.Equal("/run/px", s.ExecRoot);
        Assert.Equal("iptables", s.FirewallBackend);
        Assert.False(s.Icc);
        Assert.False(s.IPMasquerade);
        Assert.Equal("172.30.0.1/16", s.Bip);
        Assert.Equal([(IPNetwork.Parse("10.10.0.0/16"), 24)], s.DefaultAddressPools);
        Assert.Equal(["192.0.2.53", "2001:db8::53"], s.Dns);
        Assert.Equal(1450, s.Mtu);
        Assert.False(s.DefaultBridge);
        Assert.Equal("json", s.LogFormat);
        Assert.Equal("docker", s.Group);
        Assert.True(s.GroupExplicit);
    }

    [Fact]
    public void Keys_not_in_the_file_keep_their_defaults()
    {
        var s = Read("""{ "host": "/tmp/q.sock", "iptables": false }""");
        Assert.Equal("/tmp/q.sock", s.SocketPath);
        Assert.Equal("none", s.FirewallBackend); // dockerd's "iptables": false: no firewall rules at all
        Assert.Equal(new DaemonSettings() with { Host = "/tmp/q.sock", FirewallBackend = "none" }, s);
    }

    [Theory]
    [InlineData("""{ "icc": "no" }""", "key \"icc\" has the wrong type or form")]
    [InlineData("""{ "data-root": null }""", "key \"data-root\" has the wrong type or form: expected a string, got null")]
    [InlineData("""{ "mtu": "1500" }""", "key \"mtu\" has the wrong type or form")]
    [InlineData("""{ "mtu": 20 }""", "key \"mtu\": invalid --mtu 20: expected 68 to 65535")]
    [InlineData("""{ "firewall-backend": "pf" }""", "invalid firewall backend 'pf' (nftables, iptables or none)")]
    [InlineData("""{ "dns": ["resolver.example"] }""", "key \"dns\": invalid --dns 'resolver.example': not an IP address")]
    [InlineData("""{ "bip": "172.30.0.1" }""", "invalid --bip '172.30.0.1': expected the bridge's IPv4 address with a prefix length")]
    [InlineData("""{ "bip": "not-an-address/16" }""", "invalid --bip 'not-an-address/16'")]
    [InlineData("""{ "default-address-pools": [{ "base": "10.10.0.0/16", "size": 8 }] }""", "invalid default address pool base=10.10.0.0/16 size=8")]
    [InlineData("""{ "default-address-pools": [{ "base": "10.10.0.0/16" }] }""", "key \"default-address-pools\" has the wrong type or form")]
    [InlineData("""{ "log-format": "xml" }""", "invalid --log-format 'xml': expected text or json")]
    [InlineData("""{ "host": "tcp://0.0.0.0:2375" }""", "plexusd listens only on unix sockets")]
    [InlineData("""{ "hosts": [] }""", "key \"hosts\" has the wrong type or form")]
    [InlineData("""{ "debug": true }""", "unknown key \"debug\" (known: host, hosts,")]
    [InlineData("""[ "icc" ]""", "must hold a JSON object")]
    [InlineData("""{ "icc": tru }""", "is not valid JSON")]
    public void Bad_values_are_refused_naming_the_key_and_the_problem(string json, string expected) =>
        Assert.Contains(expected, Refused(json), StringComparison.Ordinal);

    [Theory]
    [InlineData("base=172.80.0.0/16,size=24", "172.80.0.0/16", 24)]
    [InlineData("size=64,base=fd00:80::/48", "fd00:80::/48", 64)]
    public void Default_address_pool_flags_are_base_and_size(string text, string network, int size) =>
        Assert.Equal((IPNetwork.Parse(network), size), DaemonSettings.ParsePool(text));

    [Theory]
    [InlineData("base=172.80.0.0/16", "needs base and size")]
    [InlineData("172.80.0.0/16", "expected base=CIDR,size=N")]
    [InlineData("base=172.80.0.0/16,size=24,step=2", "unknown field 'step'")]
    [InlineData("base=172.80.0.0/16,size=12", "invalid default address pool")]
    public void Bad_default_address_pool_flags_are_refused(string text, string expected) =>
        Assert.Contains(expected, Assert.Throws<PlexusException>(() => DaemonSettings.ParsePool(text)).Message, StringComparison.Ordinal);
}
