using Plexus.Engine.Controller;
using Plexus.Engine.Model;

namespace Plexus.Engine.Tests.Controller;

public sealed class EndpointTableTests
{
    private static EndpointState Ep(string id, string network, string? sandbox) => new() { Id = id, Name = id, NetworkId = network, SandboxId = sandbox };

    [Fact]
    public void The_indexes_follow_joins_leaves_and_deletes()
    {
        var t = new EndpointTable();
        t["e1"] = Ep("e1", "n1", null);
        t["e2"] = Ep("e2", "n1", "s1");
        t["e3"] = Ep("e3", "n2", "s1");
        Assert.Equal(["e1", "e2"], t.OfNetwork("n1").Select(e => e.Id).Order());
        Assert.Equal(["e2", "e3"], t.OfSandbox("s1").Select(e => e.Id).Order());

        t["e1"] = Ep("e1", "n1", "s2");   // joined
        t["e2"] = Ep("e2", "n1", null);   // left
        Assert.Equal(["e1"], t.OfSandbox("s2").Select(e => e.Id));
        Assert.Equal(["e3"], t.OfSandbox("s1").Select(e => e.Id));
        Assert.Equal("s2", t.OfNetwork("n1").Single(e => e.Id == "e1").SandboxId); // the index holds the new record

        Assert.True(t.TryRemove("e3", out _));
        Assert.False(t.TryRemove("e3", out _));
        Assert.Empty(t.OfSandbox("s1"));
        Assert.Empty(t.OfNetwork("n2"));
        Assert.Equal(2, t.Values.Count);

        // Names, per network.
        Assert.True(t.HasName("n1", "e1"));
        Assert.False(t.HasName("n2", "e1"));
        Assert.False(t.HasName("n2", "e3"));
        t["e1"] = Ep("e1", "n1", null) with { Name = "renamed" };
        Assert.False(t.HasName("n1", "e1"));
        Assert.True(t.HasName("n1", "renamed"));
    }

    [Fact]
    public void A_name_is_taken_from_its_reservation_until_released_or_stored()
    {
        var t = new EndpointTable();
        Assert.True(t.TryReserveName("n1", "web"));
        Assert.False(t.TryReserveName("n1", "web")); // a concurrent join with the same name loses
        Assert.True(t.TryReserveName("n2", "web"));
        t.ReleaseName("n1", "web");
        Assert.True(t.TryReserveName("n1", "web"));
        t["e1"] = new EndpointState { Id = "e1", Name = "web", NetworkId = "n1" }; // stored: the reservation becomes the name
        t.ReleaseName("n1", "web");
        Assert.False(t.TryReserveName("n1", "web"));
        Assert.True(t.TryRemove("e1", out _));
        Assert.True(t.TryReserveName("n1", "web"));
    }
}
