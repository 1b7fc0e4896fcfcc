using System.Net;
using Plexus.Daemon.Config;
using Plexus.Engine.Model;

namespace Plexus.Daemon.Tests.Unit;

/// <summary>dockerd's cluster flags as plexusd reads them: etcd endpoints and prefix, the advertised address, TLS files.</summary>
public sealed class ClusterSettingsTests
{
    private static readonly Dictionary<string, string> None = [];

    [Fact]
    public void No_store_is_a_single_host()
    {
        Assert.Null(ClusterSettings.From(null, null, None));
        Assert.Null(ClusterSettings.From("", "", None));
    }

    [Fact]
    public void Endpoints_default_to_etcds_port_and_the_prefix_to_plexus()
    {
        var cluster = ClusterSettings.From("etcd://10.0.0.1,10.0.0.2:22379,etcd-3.example:2379", "10.0.0.9:2376", None)!;

        Assert.Equal(["http://10.0.0.1:2379/", "http://10.0.0.2:22379/", "http://etcd-3.example:2379/"], cluster.Endpoints.Select(e => e.ToString()));
        Assert.Equal("/plexus", cluster.Prefix);
        Assert.Equal(IPAddress.Parse("10.0.0.9"), cluster.Vtep);
        Assert.Equal("10.0.0.9:2376", cluster.Advertise);
        Assert.Equal("etcd://10.0.0.1,10.0.0.2:22379,etcd-3.example:2379", cluster.Store);
    }

    [Fact]
    public void A_path_is_the_key_prefix_and_ipv6_works()
    {
        var cluster = ClusterSettings.From("etcd://[fd00::1]:2379/lab/plexus/", "[fd00::9]:2376", None)!;
        Assert.Equal("/lab/plexus", cluster.Prefix);
        Assert.Equal(2379, cluster.Endpoints[0].Port);
        Assert.Equal(IPAddress.Parse("fd00::9"), cluster.Vtep);
        Assert.Equal(IPAddress.Parse("fd00::9"), ClusterSettings.ParseAdvertise("fd00::9"));
    }

    [Fact]
    public void Tls_files_make_the_endpoints_https()
    {
        var ca = Path.GetTempFileName();
        try
        {
            var cluster = ClusterSettings.From("etcd://10.0.0.1:2379", "10.0.0.9", new Dictionary<string, string> { ["kv.cacertfile"] = ca })!;
            Assert.Equal("https", cluster.Endpoints[0].Scheme);
            Assert.Equal(ca, cluster.CaFile);
            var error = Assert.Throws<PlexusException>(() => ClusterSettings.From("etcd://10.0.0.1:2379", "10.0.0.9", new Dictionary<string, string> { ["kv.certfile"] = ca }));
            Assert.Contains("kv.certfile and kv.keyfile go together", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(ca);
        }
    }

    [Theory]
    [InlineData("etcd://10.0.0.1:2379", null, "--cluster-advertise is required with --cluster-store")]
    [InlineData(null, "10.0.0.1", "--cluster-advertise needs --cluster-store")]
    [InlineData("zk://10.0.0.1:2181", "10.0.0.9", "plexusd keeps its cluster state in etcd, not zk")]
    [InlineData("10.0.0.1:2379", "10.0.0.9", "no scheme")]
    [InlineData("etcd://10.0.0.1:2379,,10.0.0.2:2379", "10.0.0.9", "an empty endpoint")]
    [InlineData("etcd://10.0.0.1:notaport", "10.0.0.9", "'10.0.0.1:notaport' is not HOST:PORT")]
    [InlineData("etcd://10.0.0.1:2379", "2376", "invalid --cluster-advertise '2376'")]
    [InlineData("etcd://10.0.0.1:2379", "eth0:2376", "invalid --cluster-advertise 'eth0:2376'")]
    [InlineData("etcd://10.0.0.1:2379", "0.0.0.0:2376", "cannot reach an unspecified address")]
    public void Wrong_settings_say_what_is_wrong(string? store, string? advertise, string error)
    {
        var e = Assert.Throws<PlexusException>(() => ClusterSettings.From(store, advertise, None));
        Assert.Contains(error, e.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
    }

    [Fact]
    public void The_config_file_takes_dockerds_keys()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, """{ "cluster-store": "etcd://10.0.0.1:2379", "cluster-advertise": "10.0.0.9:2376", "cluster-store-opts": { } }""");
            var settings = new DaemonSettings().WithFile(file).WithCluster();
            Assert.Equal("10.0.0.9:2376", settings.Cluster!.Advertise);
            Assert.Equal("etcd://10.0.0.1:2379", settings.Cluster.Store);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
