using Plexus.Engine.Model;
using Plexus.Engine.Store;

namespace Plexus.Engine.Tests.Store;

public sealed class SqliteStoreRoundTripTests
{
    [Fact]
    public void Network_with_every_field_set_reads_back_equal()
    {
        using var dir = new TempDirectory();
        var network = Samples.Network();
        Deep.NoDefaults(network);

        using (var store = new SqliteStore(dir.DataRoot))
            store.Commit(new StoreBatch().Put(network));

        using var reopened = new SqliteStore(dir.DataRoot);
        var loaded = Assert.Single(reopened.Load().Networks);
        Deep.Equal(network, loaded);
    }

    [Fact]
    public void Endpoint_with_every_field_set_reads_back_equal()
    {
        using var dir = new TempDirectory();
        var network = Samples.Network();
        var sandbox = Samples.Sandbox();
        var endpoint = Samples.Endpoint(network.Id, sandbox.Id);
        Deep.NoDefaults(endpoint);

        using (var store = new SqliteStore(dir.DataRoot))
            store.Commit(new StoreBatch().Put(network).Put(sandbox).Put(endpoint));

        using var reopened = new SqliteStore(dir.DataRoot);
        var loaded = Assert.Single(reopened.Load().Endpoints);
        Deep.Equal(endpoint, loaded);
    }

    [Fact]
    public void Sandbox_with_every_field_set_reads_back_equal()
    {
        using var dir = new TempDirectory();
        var sandbox = Samples.Sandbox();
        Deep.NoDefaults(sandbox);

        using (var store = new SqliteStore(dir.DataRoot))
            store.Commit(new StoreBatch().Put(sandbox));

        using var reopened = new SqliteStore(dir.DataRoot);
        var loaded = Assert.Single(reopened.Load().Sandboxes);
        Deep.Equal(sandbox, loaded);
    }

    [Fact]
    public void Records_with_nulls_and_empty_collections_read_back_equal()
    {
        using var dir = new TempDirectory();
        var network = Samples.MinimalNetwork("bare") with { Subnets = [Samples.Network().Subnets[0] with { IPRange = null, AuxAddresses = new Dictionary<string, System.Net.IPAddress>() }] };
        var endpoint = Samples.MinimalEndpoint(network.Id, "e");
        var sandbox = Samples.MinimalSandbox("s");
        Assert.Null(endpoint.SandboxId);
        Assert.Null(endpoint.IPv4);
        Assert.Null(endpoint.Mac);
        Assert.Null(sandbox.Pid);
        Assert.Null(sandbox.Hostname);

        using (var store = new SqliteStore(dir.DataRoot))
            store.Commit(new StoreBatch().Put(network).Put(endpoint).Put(sandbox));

        using var reopened = new SqliteStore(dir.DataRoot);
        var snapshot = reopened.Load();
        Deep.Equal(network, Assert.Single(snapshot.Networks));
        Deep.Equal(endpoint, Assert.Single(snapshot.Endpoints));
        Deep.Equal(sandbox, Assert.Single(snapshot.Sandboxes));
    }

    [Fact]
    public void Putting_a_record_again_replaces_it()
    {
        using var dir = new TempDirectory();
        using var store = new SqliteStore(dir.DataRoot);
        var network = Samples.Network("web");
        store.Commit(new StoreBatch().Put(network));

        var changed = network with { Name = "web2", Pending = false, DriverState = new Dictionary<string, string> { ["bridge"] = "br-x" } };
        store.Commit(new StoreBatch().Put(changed));

        var loaded = Assert.Single(store.Load().Networks);
        Deep.Equal(changed, loaded);
    }

    [Fact]
    public void Load_returns_records_in_the_order_they_were_first_stored()
    {
        using var dir = new TempDirectory();
        using var store = new SqliteStore(dir.DataRoot);
        // Names and ids in an order that neither alphabetical nor id order reproduces.
        var names = new[] { "m", "b", "z", "a", "q" };
        var networks = names.Select(n => Samples.MinimalNetwork(n)).ToList();
        foreach (var network in networks)
            store.Commit(new StoreBatch().Put(network));
        var sandboxes = names.Select(n => Samples.MinimalSandbox(n)).ToList();
        store.Commit(sandboxes.Aggregate(new StoreBatch(), (b, s) => b.Put(s)));
        var endpoints = names.Select(n => Samples.MinimalEndpoint(networks[0].Id, n)).ToList();
        store.Commit(endpoints.Aggregate(new StoreBatch(), (b, e) => b.Put(e)));

        // Updating the first one does not move it to the end.
        store.Commit(new StoreBatch().Put(networks[0] with { Pending = true }).Put(sandboxes[0] with { Pending = true })
            .Put(endpoints[0] with { Pending = true }));

        var snapshot = store.Load();
        Assert.Equal(networks.Select(n => n.Id), snapshot.Networks.Select(n => n.Id));
        Assert.Equal(sandboxes.Select(s => s.Id), snapshot.Sandboxes.Select(s => s.Id));
        Assert.Equal(endpoints.Select(e => e.Id), snapshot.Endpoints.Select(e => e.Id));
        Assert.True(snapshot.Networks[0].Pending && snapshot.Sandboxes[0].Pending && snapshot.Endpoints[0].Pending);
    }

    [Fact]
    public void An_empty_store_loads_empty()
    {
        using var dir = new TempDirectory();
        using var store = new SqliteStore(dir.DataRoot);
        var snapshot = store.Load();
        Assert.Empty(snapshot.Networks);
        Assert.Empty(snapshot.Endpoints);
        Assert.Empty(snapshot.Sandboxes);
    }
}
