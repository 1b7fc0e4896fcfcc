using System.Net;
using Plexus.Engine.Controller;
using Plexus.Engine.Dns;
using Plexus.Engine.Model;
using Plexus.Kernel.Types;

namespace Plexus.Engine.Tests.Dns;

/// <summary>The DNS registry follows the controller's events: names come with a join and go with a leave, at once.</summary>
public sealed class RegistryFeedTests
{
    private static NetworkState Net(string name, string subnet) => new()
    {
        Id = name + "-id", Name = name, Driver = "bridge",
        Subnets = [new SubnetState { Subnet = IPNetwork.Parse(subnet), Gateway = IPAddress.Parse(subnet.Replace("0/24", "1", StringComparison.Ordinal)) }],
    };

    private static SandboxState Box(string name) => new() { Id = name.PadRight(64, '0'), Name = name, NamespacePath = "/x" };

    private static EndpointState Ep(string id, NetworkState n, string ip) =>
        new() { Id = id, Name = id, NetworkId = n.Id, IPv4 = IPPrefix.Parse(ip + "/24") };

    [Fact]
    public void Joins_publish_leaves_withdraw_and_networks_without_names_publish_nothing()
    {
        var events = new ControllerEvents();
        var registry = new DnsRegistry();
        var (red, plain) = (Net("red", "10.1.0.0/24"), Net("plain", "10.2.0.0/24"));
        using var feed = new RegistryFeed(registry, events, n => n.Name != "plain");
        var (a, client) = (Box("a"), Box("client"));
        var ea = Ep("ea", red, "10.1.0.10");
        events.Publish(ControllerEvent.Connected(red, Ep("ec", red, "10.1.0.20"), client));
        events.Publish(ControllerEvent.Connected(red, ea, a));
        events.Publish(ControllerEvent.Connected(plain, Ep("ep", plain, "10.2.0.10"), a));

        Assert.Equal(["10.1.0.10"], registry.Lookup(client.Id, "a", DnsType.A).Addresses.Select(x => x.ToString()));
        Assert.False(registry.Lookup(client.Id, "a.plain", DnsType.A).IsLocal); // plain publishes no names: no zone answers for it

        events.Publish(ControllerEvent.Disconnected(red, ea, a));
        Assert.Equal(DnsRcode.NxDomain, registry.Lookup(client.Id, "a", DnsType.A).Rcode);
        Assert.False(registry.HasNetworks(a.Id));

        events.Publish(ControllerEvent.SandboxRemoved(client));
        Assert.False(registry.HasNetworks(client.Id));
    }

    [Fact]
    public void After_disposal_the_registry_no_longer_follows()
    {
        var events = new ControllerEvents();
        var registry = new DnsRegistry();
        var red = Net("red", "10.1.0.0/24");
        new RegistryFeed(registry, events, _ => true).Dispose();
        events.Publish(ControllerEvent.Connected(red, Ep("ea", red, "10.1.0.10"), Box("a")));
        Assert.False(registry.HasNetworks(Box("a").Id));
    }
}
