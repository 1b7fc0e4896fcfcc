using Plexus.Engine.Model;
using Plexus.Engine.Sandboxes;
using Plexus.Kernel.Types;

namespace Plexus.Engine.Tests.Controller;

public sealed class SandboxFilesTests
{
    private static readonly SandboxState Sandbox = new()
    {
        Id = new string('a', 64),
        Name = "web",
        NamespacePath = "/run/plexus/netns/x",
        Hostname = "www",
        DnsServers = ["192.0.2.53"],
        DnsSearch = ["example.test"],
        DnsOptions = ["ndots:0"],
        ExtraHosts = ["db:172.18.0.9", "v6host:fd00::9"],
    };

    [Fact]
    public void Hosts_lists_localhost_each_address_under_hostname_and_name_then_extra_hosts()
    {
        var endpoints = new[]
        {
            new EndpointState { Id = "e2", Name = "web", NetworkId = "n2", IPv4 = IPPrefix.Parse("10.2.0.5/24"), JoinOrder = 2 },
            new EndpointState { Id = "e1", Name = "web", NetworkId = "n1", IPv4 = IPPrefix.Parse("172.18.0.2/16"), IPv6 = IPPrefix.Parse("fd00::2/64"), JoinOrder = 1 },
        };
        var lines = SandboxFiles.Hosts(Sandbox, "www", endpoints).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("127.0.0.1\tlocalhost", lines[0]);
        var ours = lines.Where(l => l.EndsWith("www web", StringComparison.Ordinal)).ToArray();
        Assert.Equal(["172.18.0.2\twww web", "fd00::2\twww web", "10.2.0.5\twww web"], ours);
        Assert.Contains("172.18.0.9\tdb", lines);
        Assert.Contains("fd00::9\tv6host", lines);
    }

    [Fact]
    public void Resolv_conf_uses_the_sandbox_servers_search_and_options()
    {
        var files = new SandboxFiles("/nonexistent", ["198.51.100.1"]);
        Assert.Equal("nameserver 192.0.2.53\nsearch example.test\noptions ndots:0\n", files.ResolvConf(Sandbox));
        Assert.Equal("nameserver 198.51.100.1\n", files.ResolvConf(Sandbox with { DnsServers = [], DnsSearch = [], DnsOptions = [] }));
    }

    [Fact]
    public void Hostname_defaults_to_the_short_id()
    {
        Assert.Equal("www", SandboxFiles.HostnameOf(Sandbox));
        Assert.Equal("aaaaaaaaaaaa", SandboxFiles.HostnameOf(Sandbox with { Hostname = null }));
    }

    [Fact]
    public void A_sandbox_directory_removed_meanwhile_is_made_again_on_the_next_write()
    {
        var root = Path.Combine(Path.GetTempPath(), "plexus-files-" + Guid.NewGuid().ToString("N"));
        try
        {
            var files = new SandboxFiles(root, ["198.51.100.1"]);
            var endpoint = new EndpointState { Id = "e1", Name = "web", NetworkId = "n1", IPv4 = IPPrefix.Parse("172.18.0.2/16"), JoinOrder = 1 };
            files.Write(Sandbox, []);
            Directory.Delete(files.DirectoryOf(Sandbox.Id), recursive: true);
            files.Write(Sandbox, [endpoint]);
            Assert.Contains("172.18.0.2\twww web", File.ReadAllText(files.HostsPath(Sandbox.Id)), StringComparison.Ordinal);
            Assert.True(File.Exists(files.ResolvConfPath(Sandbox.Id)));
            Assert.Equal("www\n", File.ReadAllText(files.HostnamePath(Sandbox.Id)));
        }
        finally
        {
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
    }
}
