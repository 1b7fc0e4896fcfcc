using Plexus.Engine.Controller;
using Plexus.Engine.Drivers.Null;
using Plexus.Engine.Model;

namespace Plexus.Engine.Tests.Controller.Rootless;

/// <summary>
/// A config-only network is stored with driver "null", as Docker records it, but is no null network: it has no
/// capabilities, so nothing that decides by capabilities takes it for one.
/// </summary>
public sealed class ConfigOnlyNetworkTests : IDisposable
{
    private readonly RootlessWorld _world = new(new NullDriver());

    [Fact]
    public void A_config_only_network_has_no_capabilities_and_is_not_the_null_network()
    {
        var config = _world.Controller.CreateNetwork(new NetworkCreateRequest { Name = "cfg", ConfigOnly = true });

        Assert.Equal("null", config.Driver);
        Assert.Equal(new Engine.Drivers.DriverCapabilities(), _world.Controller.CapabilitiesOf(config));

        // The null driver's one network is still to be made, and it has the driver's capabilities.
        var none = _world.Controller.CreateNetwork(new NetworkCreateRequest { Name = "none", Driver = "null" });
        Assert.Equal(NullDriver.Declared, _world.Controller.CapabilitiesOf(none));

        _world.Sandbox("b");
        var error = Assert.Throws<PlexusException>(() => _world.Controller.Connect("cfg", "b"));
        Assert.Equal(ErrorKind.Forbidden, error.Kind);
        Assert.Contains("configuration-only network", error.Message, StringComparison.Ordinal);

        _world.Controller.DeleteNetwork("cfg");
        Assert.Equal(["none"], _world.Store.Load().Networks.Select(n => n.Name));
    }

    public void Dispose() => _world.Dispose();
}
