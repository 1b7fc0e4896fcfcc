using System.Net;
using Plexus.Engine.Controller;
using Plexus.Engine.Model;

namespace Plexus.Engine.Tests.Controller;

/// <summary>Which endpoint gives a sandbox its default route, from the gateways recorded on the endpoints.</summary>
public sealed class GatewayChoiceTests
{
    private static EndpointState Ep(string id, long order, int priority = 0, string? gw4 = null, string? gw6 = null) => new()
    {
        Id = id,
        Name = id,
        NetworkId = "n-" + id,
        SandboxId = "s",
        JoinOrder = order,
        GatewayPriority = priority,
        Joined = new JoinResult { GatewayV4 = gw4 is null ? null : IPAddress.Parse(gw4), GatewayV6 = gw6 is null ? null : IPAddress.Parse(gw6) },
    };

    [Fact]
    public void The_first_joined_endpoint_that_offers_a_gateway_wins_ties()
    {
        var internalFirst = Ep("a", 1);
        var second = Ep("b", 2, gw4: "172.18.0.1");
        var third = Ep("c", 3, gw4: "172.19.0.1");
        Assert.Same(second, GatewayChoice.Of([third, internalFirst, second]));
    }

    [Fact]
    public void A_higher_priority_wins_over_join_order_and_an_IPv6_only_gateway_counts()
    {
        var first = Ep("a", 1, gw4: "172.18.0.1");
        var preferred = Ep("b", 2, priority: 10, gw6: "fd00::1");
        Assert.Same(preferred, GatewayChoice.Of([first, preferred]));
    }

    [Fact]
    public void No_endpoint_offering_a_gateway_means_no_default_route()
    {
        Assert.Null(GatewayChoice.Of([Ep("a", 1), Ep("b", 2) with { Joined = null }]));
        Assert.Null(GatewayChoice.Of([]));
    }
}
