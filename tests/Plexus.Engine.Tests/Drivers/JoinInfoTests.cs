using System.Net;
using Plexus.Engine.Drivers;
using Plexus.Engine.Model;

namespace Plexus.Engine.Tests.Drivers;

/// <summary>The one rule for the gateways an endpoint offers (bridge, macvlan, ipvlan L2, and old records at restore).</summary>
public sealed class JoinInfoTests
{
    private static NetworkState Net(bool @internal = false, bool ipv6 = false) => new()
    {
        Id = "n-id",
        Name = "n",
        Driver = "bridge",
        Created = DateTimeOffset.UnixEpoch,
        Internal = @internal,
        EnableIPv6 = ipv6,
        Subnets =
        [
            new SubnetState { Subnet = IPNetwork.Parse("10.1.0.0/24"), Gateway = IPAddress.Parse("10.1.0.1") },
            new SubnetState { Subnet = IPNetwork.Parse("10.2.0.0/24"), Gateway = IPAddress.Parse("10.2.0.1") },
            new SubnetState { Subnet = IPNetwork.Parse("fd00:1::/64"), Gateway = IPAddress.Parse("fd00:1::1") },
        ],
    };

    [Fact]
    public void An_endpoint_offers_the_first_gateway_of_each_enabled_family()
    {
        var v4 = JoinInfo.GatewaysOf(Net());
        Assert.Equal(IPAddress.Parse("10.1.0.1"), v4.GatewayV4);
        Assert.Null(v4.GatewayV6); // IPv6 subnet kept but not enabled

        var both = JoinInfo.GatewaysOf(Net(ipv6: true));
        Assert.Equal(IPAddress.Parse("10.1.0.1"), both.GatewayV4);
        Assert.Equal(IPAddress.Parse("fd00:1::1"), both.GatewayV6);
        Assert.True(both.ToResult().OffersGateway);
    }

    [Fact]
    public void With_several_subnets_of_a_family_an_endpoint_offers_its_own_subnets_gateway()
    {
        var endpoint = new EndpointState
        {
            Id = "e-id", Name = "e", NetworkId = "n-id",
            IPv4 = Kernel.Types.IPPrefix.Parse("10.2.0.7/24"), IPv6 = Kernel.Types.IPPrefix.Parse("fd00:1::7/64"),
        };
        var info = JoinInfo.GatewaysOf(Net(ipv6: true), endpoint);
        Assert.Equal((IPAddress.Parse("10.2.0.1"), IPAddress.Parse("fd00:1::1")), (info.GatewayV4, info.GatewayV6));
        // An address outside every subnet (no such endpoint is made) falls back to the first subnet's gateway.
        Assert.Equal(IPAddress.Parse("10.1.0.1"), JoinInfo.SubnetGatewayOf(Net(), Kernel.Types.IPPrefix.Parse("192.0.2.1/24"), 4));
    }

    [Fact]
    public void An_internal_network_offers_no_gateway()
    {
        var info = JoinInfo.GatewaysOf(Net(@internal: true, ipv6: true));
        Assert.False(info.ToResult().OffersGateway);
        Assert.True(info.ConfigureInterface);
    }
}
