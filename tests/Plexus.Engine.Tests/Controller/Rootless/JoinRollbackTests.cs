using System.Net;
using Plexus.Engine.Model;
using Plexus.Engine.Controller;

namespace Plexus.Engine.Tests.Controller.Rootless;

/// <summary>
/// Joins and leaves that fail part-way leave the controller, the store, IPAM, the names and the driver as they
/// were. The controller, store, IPAM and DNS registry are real; only the machine is stood in for: no root needed.
/// </summary>
public sealed class JoinRollbackTests : IDisposable
{
    private readonly RootlessWorld _world = new();

    private static readonly IPAddress Wanted = IPAddress.Parse("10.77.0.9");

    [Fact]
    public void A_join_the_driver_refuses_leaves_no_endpoint_address_name_or_record()
    {
        var network = _world.Network("front", "10.77.0.0/24");
        var a = _world.Sandbox("a");
        var b = _world.Sandbox("b");
        _world.Controller.Connect("front", "a");
        _world.Driver.FailJoin = true;

        var error = Assert.Throws<PlexusException>(() => _world.Controller.Connect("front", "b", new EndpointCreateRequest { IPv4Address = Wanted }));

        Assert.Contains("join sandbox b to network front", error.Message, StringComparison.Ordinal);
        Assert.Contains("No space left on device", error.Message, StringComparison.Ordinal);
        Assert.Equal(["a"], _world.Controller.EndpointsOf(network).Select(e => e.Name));
        Assert.Empty(_world.Controller.EndpointsOf(b));
        Assert.Equal(["a"], _world.StoredEndpoints().Select(e => e.Name));
        Assert.Empty(_world.Resolve(a, "b"));
        Assert.False(_world.Controller.Names.HasNetworks(b.Id));
        Assert.False(_world.Resolvers.IsServing(b.Id));
        Assert.Null(_world.Networking.DefaultRouteOf(b.Id));

        // The address went back to IPAM and the name is free: the same request now succeeds.
        _world.Driver.FailJoin = false;
        var joined = _world.Controller.Connect("front", "b", new EndpointCreateRequest { IPv4Address = Wanted });
        Assert.Equal(Wanted, joined.IPv4!.Value.Address);
        Assert.Equal([Wanted], _world.Resolve(a, "b"));
    }

    [Fact]
    public void A_failure_after_the_driver_joined_makes_the_driver_leave()
    {
        var network = _world.Network("front", "10.77.0.0/24");
        var b = _world.Sandbox("b");
        _world.Networking.FailConfigure = true;

        var error = Assert.Throws<PlexusException>(() => _world.Controller.Connect("front", "b", new EndpointCreateRequest { IPv4Address = Wanted }));

        Assert.Contains("Operation not permitted", error.Message, StringComparison.Ordinal);
        Assert.Single(_world.Driver.Leaves); // rolled back through the driver
        Assert.Empty(_world.Driver.Joined);
        Assert.Empty(_world.Controller.EndpointsOf(network));
        Assert.Empty(_world.StoredEndpoints());
        Assert.False(_world.Resolvers.IsServing(b.Id)); // the resolver it started for the join is stopped again
        Assert.Empty(_world.Log.Lines); // every undo step worked

        _world.Networking.FailConfigure = false;
        Assert.Equal(Wanted, _world.Controller.Connect("front", "b", new EndpointCreateRequest { IPv4Address = Wanted }).IPv4!.Value.Address);
    }

    [Fact]
    public void A_rollback_step_that_fails_is_logged_and_the_first_error_is_reported()
    {
        var network = _world.Network("front", "10.77.0.0/24");
        _world.Sandbox("b");
        _world.Networking.FailConfigure = true;
        _world.Driver.FailLeave = true;

        var error = Assert.Throws<PlexusException>(() => _world.Controller.Connect("front", "b"));

        Assert.Contains("Operation not permitted", error.Message, StringComparison.Ordinal); // not the rollback's error
        var line = Assert.Single(_world.Log.Lines);
        Assert.Contains("driver.Leave", line, StringComparison.Ordinal);
        Assert.Contains("Device or resource busy", line, StringComparison.Ordinal);
        Assert.Empty(_world.Controller.EndpointsOf(network));
        Assert.Empty(_world.StoredEndpoints());
    }

    [Fact]
    public void A_leave_the_driver_refuses_keeps_the_endpoint_joined_everywhere()
    {
        var network = _world.Network("front", "10.77.0.0/24");
        var a = _world.Sandbox("a");
        var b = _world.Sandbox("b");
        _world.Controller.Connect("front", "a");
        var endpoint = _world.Controller.Connect("front", "b", new EndpointCreateRequest { IPv4Address = Wanted });
        _world.Driver.FailLeave = true;

        var error = Assert.Throws<PlexusException>(() => _world.Controller.Disconnect("front", "b"));

        Assert.Contains("leave network front from sandbox b", error.Message, StringComparison.Ordinal);
        Assert.Equal(endpoint.Id, Assert.Single(_world.Controller.EndpointsOf(b)).Id);
        Assert.Equal(b.Id, _world.StoredEndpoints().Single(e => e.Id == endpoint.Id).SandboxId);
        Assert.Equal([Wanted], _world.Resolve(a, "b"));
        Assert.True(_world.Resolvers.IsServing(b.Id));
        // Still allocated: nobody else gets the address.
        var c = _world.Sandbox("c");
        Assert.Throws<PlexusException>(() => _world.Controller.Connect("front", "c", new EndpointCreateRequest { IPv4Address = Wanted }));

        _world.Driver.FailLeave = false;
        _world.Controller.Disconnect("front", "b");
        Assert.Empty(_world.Controller.EndpointsOf(b));
        Assert.Empty(_world.Resolve(a, "b"));
        Assert.False(_world.Resolvers.IsServing(b.Id));
        Assert.Equal(Wanted, _world.Controller.Connect("front", "c", new EndpointCreateRequest { IPv4Address = Wanted }).IPv4!.Value.Address);
        Assert.Equal(["a", "c"], _world.Controller.EndpointsOf(network).Select(e => e.Name));
    }

    [Fact]
    public void Removing_a_sandbox_leaves_its_networks_and_removes_its_namespace_and_files()
    {
        _world.Network("front", "10.77.0.0/24");
        _world.Network("back", "10.78.0.0/24");
        var b = _world.Sandbox("b");
        _world.Controller.Connect("front", "b");
        _world.Controller.Connect("back", "b");
        Assert.True(_world.Namespaces.Exists(b.Id));
        Assert.True(File.Exists(_world.Controller.Files.HostsPath(b.Id)));

        _world.Controller.DeleteSandbox("b");

        Assert.Equal(2, _world.Driver.Leaves.Count);
        Assert.Empty(_world.Driver.Joined);
        Assert.Empty(_world.StoredEndpoints());
        Assert.Empty(_world.Store.Load().Sandboxes);
        Assert.False(_world.Namespaces.Exists(b.Id));
        Assert.False(Directory.Exists(_world.Controller.Files.DirectoryOf(b.Id)));
    }

    [Fact]
    public void A_sandbox_whose_namespace_cannot_be_prepared_is_not_created()
    {
        _world.Networking.FailPrepare = true;

        var error = Assert.Throws<PlexusException>(() => _world.Sandbox("b"));

        Assert.Contains("create sandbox b", error.Message, StringComparison.Ordinal);
        Assert.Empty(_world.Controller.Sandboxes);
        Assert.Empty(_world.Store.Load().Sandboxes);
        Assert.Empty(_world.Namespaces.List());
        Assert.Empty(Directory.Exists(Path.Combine(_world.Root, "exec", "sandboxes")) ? Directory.EnumerateFileSystemEntries(Path.Combine(_world.Root, "exec", "sandboxes")) : []);

        _world.Networking.FailPrepare = false;
        Assert.Equal("b", _world.Sandbox("b").Name); // the name was given back
    }

    public void Dispose() => _world.Dispose();
}
