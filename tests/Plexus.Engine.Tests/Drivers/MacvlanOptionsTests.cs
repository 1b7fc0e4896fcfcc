using Plexus.Engine.Drivers.Macvlan;
using Plexus.Engine.Model;
using Plexus.Kernel.Rtnl.LinkKinds;

namespace Plexus.Engine.Tests.Drivers;

/// <summary>How macvlan and ipvlan options are read, with Docker's defaults and error texts.</summary>
public sealed class MacvlanOptionsTests
{
    private static NetworkState Network(params (string Key, string Value)[] options) => new()
    {
        Id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        Name = "n",
        Driver = MacvlanDriver.DriverName,
        Options = options.ToDictionary(o => o.Key, o => o.Value),
    };

    [Fact]
    public void Defaults_are_bridge_mode_and_a_parent_of_the_networks_own()
    {
        var options = MacvlanOptions.Parse(Network());
        Assert.Equal(MacvlanMode.Bridge, options.Mode);
        Assert.False(options.HasParent);
        Assert.Equal("dm-0123456789ab", options.Parent);
        Assert.True(options.Parent.Length <= 15);
    }

    [Theory]
    [InlineData("bridge", MacvlanMode.Bridge)]
    [InlineData("private", MacvlanMode.Private)]
    [InlineData("vepa", MacvlanMode.Vepa)]
    [InlineData("passthru", MacvlanMode.Passthru)]
    public void Modes_are_dockers(string mode, MacvlanMode expected)
    {
        var options = MacvlanOptions.Parse(Network(("parent", "eth0"), ("macvlan_mode", mode)));
        Assert.Equal(expected, options.Mode);
        Assert.Equal("eth0", options.Parent);
        Assert.True(options.HasParent);
    }

    [Theory]
    [InlineData("macvlan_mode", "Bridge", "requested macvlan mode 'Bridge' is not valid, 'bridge' mode is the macvlan driver default")]
    [InlineData("parent", "lo", "loopback interface is not a valid macvlan parent link")]
    [InlineData("parent", "a-name-longer-than-15", "option parent")]
    [InlineData("parent", "eth 0", "option parent")]
    public void Bad_options_are_clear_errors(string key, string value, string message)
    {
        var e = Assert.Throws<PlexusException>(() => MacvlanOptions.Parse(Network((key, value))));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_dotted_parent_is_taken_as_given_it_may_be_a_real_interface()
    {
        Assert.Equal("br.lan", MacvlanOptions.Parse(Network(("parent", "br.lan"))).Parent);
    }

    [Theory]
    [InlineData("eth0.20", "eth0", 20)]
    [InlineData("bond0.4094", "bond0", 4094)]
    public void Vlan_names_are_base_dot_id(string name, string baseName, int id)
    {
        Assert.Equal((baseName, id), VlanName.Parse(Network(), name));
    }

    [Theory]
    [InlineData("eth0.0", "vlan id must be between 1-4094, received: 0")]
    [InlineData("eth0.4095", "vlan id must be between 1-4094, received: 4095")]
    [InlineData("eth0.x", "'x' is not a VLAN id")]
    [InlineData("eth0.1.2", "BASE.VLAN-ID")]
    [InlineData(".20", "BASE.VLAN-ID")]
    public void Bad_vlan_names_say_what_a_vlan_name_is(string name, string message)
    {
        var e = Assert.Throws<PlexusException>(() => VlanName.Parse(Network(), name));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ipvlan_defaults_and_errors_are_dockers()
    {
        var options = IpvlanOptions.Parse(Network(("parent", "eth0")));
        Assert.Equal((IpvlanMode.L2, IpvlanFlags.Bridge), (options.Mode, options.Flags));
        Assert.Equal(IpvlanMode.L3S, IpvlanOptions.Parse(Network(("ipvlan_mode", "l3s"))).Mode);
        Assert.Equal(IpvlanFlags.Private, IpvlanOptions.Parse(Network(("ipvlan_flag", "private"))).Flags);
        var mode = Assert.Throws<PlexusException>(() => IpvlanOptions.Parse(Network(("ipvlan_mode", "l4"))));
        Assert.Contains("requested ipvlan mode 'l4' is not valid, 'l2' mode is the ipvlan driver default", mode.Message, StringComparison.Ordinal);
        var flag = Assert.Throws<PlexusException>(() => IpvlanOptions.Parse(Network(("ipvlan_flag", "x"))));
        Assert.Contains("requested ipvlan flag 'x' is not valid, 'bridge' is the ipvlan driver default", flag.Message, StringComparison.Ordinal);
    }
}
