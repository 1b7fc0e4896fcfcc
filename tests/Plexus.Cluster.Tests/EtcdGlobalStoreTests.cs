using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Plexus.Cluster.Etcd;
using Plexus.Engine.Store;
using Plexus.Testing;

namespace Plexus.Cluster.Tests;

/// <summary>What etcd adds to the contract: a key prefix of its own, paths as keys, and errors that say where etcd was looked for.</summary>
[Trait("Category", "Privileged")]
public sealed class EtcdGlobalStoreTests(EtcdFixture etcd) : IClassFixture<EtcdFixture>
{
    [PrivilegedFact]
    public void Keys_live_under_the_stores_prefix_and_other_prefixes_do_not_see_them()
    {
        var prefix = $"/plexus-{Guid.NewGuid():N}";
        using var store = etcd.NewStore(prefix);
        using var neighbour = etcd.NewStore(prefix + "-other");
        using var raw = etcd.NewStore("");

        store.Put("/hosts/a", "{}");
        neighbour.Put("/hosts/b", "{}");

        Assert.Equal(["/hosts/a"], store.List("").Entries.Select(e => e.Key));
        Assert.Equal(["/hosts/a"], store.List("/").Entries.Select(e => e.Key));
        Assert.Equal("{}", raw.Get(prefix + "/hosts/a")!.Value); // where other tools (etcdctl) find it
        Assert.Null(store.Get("/hosts/b"));
    }

    [Fact]
    public void Keys_are_paths()
    {
        using var store = new EtcdGlobalStore(new EtcdOptions { Endpoints = [new Uri("http://127.0.0.1:1")] });
        var error = Assert.Throws<ArgumentException>(() => store.Put("hosts/a", "x"));
        Assert.Contains("paths starting with '/'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void With_no_etcd_listening_an_operation_fails_fast_naming_every_endpoint()
    {
        int a = UnusedPort(), b = UnusedPort();
        using var store = new EtcdGlobalStore(EtcdFixture.Tuned(new EtcdOptions
        {
            Endpoints = [new Uri($"http://127.0.0.1:{a}"), new Uri($"http://127.0.0.1:{b}")],
        }));

        var clock = Stopwatch.StartNew();
        var error = Assert.Throws<GlobalStoreUnavailableException>(() => store.Put("/networks/x", "{}", StoreRevisions.Absent));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}"); // no hang; the limit is generous on purpose
        Assert.Contains($"put /networks/x: the cluster store is unreachable (etcd at 127.0.0.1:{a}, 127.0.0.1:{b})", error.Message, StringComparison.Ordinal);
        Assert.Contains("Connection refused", error.Message, StringComparison.Ordinal);
        Assert.Throws<GlobalStoreUnavailableException>(() => store.List("/"));
    }

    private static int UnusedPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
