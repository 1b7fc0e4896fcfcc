using Plexus.Engine.Controller;
using Plexus.Engine.Drivers;
using Plexus.Engine.Drivers.Bridge;
using Plexus.Engine.Drivers.Host;
using Plexus.Engine.Drivers.Null;
using Plexus.Engine.Model;

namespace Plexus.Engine.Tests.Controller;

/// <summary>Who may join what, from the drivers' declared capabilities alone.</summary>
public sealed class JoinRulesTests
{
    private static NetworkState Net(string name, string driver) => new() { Id = name + "-id", Name = name, Driver = driver, Created = DateTimeOffset.UnixEpoch };

    private static readonly (NetworkState, DriverCapabilities) OnBridge = (Net("web", "bridge"), BridgeDriver.Declared);
    private static readonly (NetworkState, DriverCapabilities) OnNull = (Net("none", "null"), NullDriver.Declared);

    [Fact]
    public void A_sandbox_with_its_own_namespace_joins_any_number_of_shared_networks()
    {
        JoinRules.Check(Net("db", "bridge"), BridgeDriver.Declared, "c1", hostNamespace: false, [OnBridge]);
        // A driver the controller has never heard of, declaring only what it does, is treated the same way.
        JoinRules.Check(Net("lan", "macvlan"), new DriverCapabilities { UsesIpam = true }, "c1", hostNamespace: false, [OnBridge]);
    }

    [Fact]
    public void The_host_network_takes_only_sandboxes_in_the_host_namespace_and_they_take_nothing_else()
    {
        var own = Assert.Throws<PlexusException>(() => JoinRules.Check(Net("host", "host"), HostDriver.Declared, "c1", false, []));
        Assert.Equal("sandbox c1 has its own network namespace and cannot join the host network host", own.Message);
        JoinRules.Check(Net("host", "host"), HostDriver.Declared, "h1", hostNamespace: true, []);
        var other = Assert.Throws<PlexusException>(() => JoinRules.Check(Net("web", "bridge"), BridgeDriver.Declared, "h1", true, []));
        Assert.Equal(ErrorKind.InvalidArgument, other.Kind);
        Assert.Equal("sandbox h1 shares the host's network namespace and cannot join network web", other.Message);
    }

    [Fact]
    public void An_exclusive_network_is_a_sandboxs_only_network_either_way_round()
    {
        var late = Assert.Throws<PlexusException>(() => JoinRules.Check(Net("none", "null"), NullDriver.Declared, "c1", false, [OnBridge]));
        Assert.Equal("sandbox c1 is connected to other networks and cannot also join network none", late.Message);
        var after = Assert.Throws<PlexusException>(() => JoinRules.Check(Net("web", "bridge"), BridgeDriver.Declared, "c1", false, [OnNull]));
        Assert.Equal("sandbox c1 is on the null network and cannot also join network web", after.Message);
        JoinRules.Check(Net("none", "null"), NullDriver.Declared, "c1", false, []);
    }

    [Fact]
    public void Declared_capabilities_say_what_each_builtin_driver_does()
    {
        Assert.True(BridgeDriver.Declared is { UsesIpam: true, PublishesPorts: true, EmbeddedDns: true, SupportsLinks: true, ExclusiveSandbox: false });
        Assert.True(NullDriver.Declared is { UsesIpam: false, PublishesPorts: false, EmbeddedDns: false, ExclusiveSandbox: true, HostNamespace: false, SingleNetwork: true });
        Assert.True(HostDriver.Declared is { UsesIpam: false, ExclusiveSandbox: true, HostNamespace: true, SingleNetwork: true });
        Assert.All(new[] { BridgeDriver.Declared, NullDriver.Declared, HostDriver.Declared },
            c => Assert.True(c is { DataScope: DataScope.Local, ConnectivityScope: DataScope.Local }));
        // Links are an optional interface: only the driver that declares them implements it.
        Assert.True(typeof(ILinkingDriver).IsAssignableFrom(typeof(BridgeDriver)));
        Assert.False(typeof(ILinkingDriver).IsAssignableFrom(typeof(NullDriver)));
        Assert.False(typeof(ILinkingDriver).IsAssignableFrom(typeof(HostDriver)));
    }
}
