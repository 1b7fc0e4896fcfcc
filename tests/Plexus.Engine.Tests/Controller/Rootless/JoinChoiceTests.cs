using Plexus.Engine.Model;
using Plexus.Engine.Controller;

namespace Plexus.Engine.Tests.Controller.Rootless;

/// <summary>Which endpoint gives a sandbox its default routes, and which joins are refused, through the real controller without root.</summary>
public sealed class JoinChoiceTests : IDisposable
{
    private readonly RootlessWorld _world = new();

    [Fact]
    public void The_first_network_joined_keeps_the_default_route_and_hands_it_on_when_left()
    {
        _world.Network("front", "10.77.0.0/24");
        _world.Network("back", "10.78.0.0/24");
        var b = _world.Sandbox("b");

        var front = _world.Controller.Connect("front", "b");
        var back = _world.Controller.Connect("back", "b");
        Assert.Equal(front.Id, _world.Networking.DefaultRouteOf(b.Id));

        _world.Controller.Disconnect("front", "b");
        Assert.Equal(back.Id, _world.Networking.DefaultRouteOf(b.Id));
    }

    [Fact]
    public void A_higher_gateway_priority_takes_the_default_route_and_an_internal_network_never_has_it()
    {
        _world.Network("inside", "10.76.0.0/24", @internal: true);
        _world.Network("front", "10.77.0.0/24");
        _world.Network("back", "10.78.0.0/24");
        var b = _world.Sandbox("b");

        _world.Controller.Connect("inside", "b");
        Assert.Null(_world.Networking.DefaultRouteOf(b.Id));
        var front = _world.Controller.Connect("front", "b");
        Assert.Equal(front.Id, _world.Networking.DefaultRouteOf(b.Id));
        var back = _world.Controller.Connect("back", "b", new EndpointCreateRequest { GatewayPriority = 10 });
        Assert.Equal(back.Id, _world.Networking.DefaultRouteOf(b.Id));
    }

    [Fact]
    public void A_sandbox_on_an_exclusive_network_joins_nothing_else_and_nothing_else_joins_it()
    {
        _world.Network("front", "10.77.0.0/24");
        _world.Network("alone", "", driver: "exclusive");
        var lonely = _world.Sandbox("lonely");
        var busy = _world.Sandbox("busy");
        _world.Controller.Connect("alone", "lonely");
        _world.Controller.Connect("front", "busy");

        var joinOther = Assert.Throws<PlexusException>(() => _world.Controller.Connect("front", "lonely"));
        Assert.Equal(ErrorKind.InvalidArgument, joinOther.Kind);
        Assert.Contains("sandbox lonely is on the exclusive network", joinOther.Message, StringComparison.Ordinal);
        var joinAlone = Assert.Throws<PlexusException>(() => _world.Controller.Connect("alone", "busy"));
        Assert.Contains("sandbox busy is connected to other networks", joinAlone.Message, StringComparison.Ordinal);

        // Refused before anything was made: no endpoint, record or driver call.
        Assert.Single(_world.Controller.EndpointsOf(lonely));
        Assert.Single(_world.Controller.EndpointsOf(busy));
        Assert.Equal(2, _world.StoredEndpoints().Count);
        Assert.Single(_world.Driver.Joined);
        Assert.Single(_world.Exclusive.Joined);
    }

    [Fact]
    public void A_single_network_driver_gets_one_network()
    {
        _world.Network("alone", "", driver: "exclusive");

        var error = Assert.Throws<PlexusException>(() => _world.Network("again", "", driver: "exclusive"));

        Assert.Equal(ErrorKind.Forbidden, error.Kind);
        Assert.Contains("only one instance of \"exclusive\" network", error.Message, StringComparison.Ordinal);
        Assert.Single(_world.Store.Load().Networks);
    }

    [Fact]
    public void A_sandbox_joins_a_network_once()
    {
        _world.Network("front", "10.77.0.0/24");
        _world.Sandbox("b");
        _world.Controller.Connect("front", "b");

        var error = Assert.Throws<PlexusException>(() => _world.Controller.Connect("front", "b"));

        Assert.Equal(ErrorKind.Forbidden, error.Kind);
        Assert.Single(_world.StoredEndpoints());
    }

    public void Dispose() => _world.Dispose();
}
