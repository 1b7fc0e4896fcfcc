using Plexus.Engine.Ipam;
using Plexus.Engine.Model;
using static Plexus.Engine.Tests.Ipam.IpamTestKit;

namespace Plexus.Engine.Tests.Ipam;

/// <summary>IPAM drivers by name, as --ipam-driver names them.</summary>
public class IpamRegistryTests
{
    [Fact]
    public void Built_in_drivers_are_default_and_null_and_no_name_means_default()
    {
        var registry = IpamRegistry.BuiltIn();

        Assert.Equal(["default", "null"], registry.Names);
        Assert.IsType<DefaultIpam>(registry.Get("default"));
        Assert.IsType<NullIpam>(registry.Get("null"));
        Assert.Same(registry.Get("default"), registry.Get(""));
        Assert.Same(registry.Get("default"), registry.Get(null));
    }

    [Fact]
    public void An_unknown_driver_is_a_404_naming_it_and_the_available_ones()
    {
        var error = Fails(ErrorKind.NotFound, () => IpamRegistry.BuiltIn().Get("infoblox"));
        Assert.Equal("IPAM driver 'infoblox' is not available (available: default, null)", error.Message);
    }

    [Fact]
    public void A_network_naming_an_unknown_driver_is_refused_before_anything_is_allocated()
    {
        var ipam = IpamService.Create();
        Fails(ErrorKind.NotFound, () => ipam.AddNetwork(IdOf("web"), "web", [Subnet("10.8.0.0/24")], false, NoOptions, NoHostPrefixes, driver: "infoblox"));

        Assert.Equal(Net("10.8.0.0/24"), Assert.Single(ipam.Add("web", Subnet("10.8.0.0/24"))).Subnet);
    }

    [Fact]
    public void Two_drivers_with_one_name_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new IpamRegistry([new NullIpam(), new NullIpam()]));
    }

    [Fact]
    public void IPAM_options_reach_the_driver()
    {
        // Serial allocation is an IPAM option (--ipam-opt com.docker.network.ipam.serial=true) the default driver reads.
        var ipam = IpamService.Create();
        ipam.AddSerial("web", Subnet("10.9.0.0/24"));
        Assert.Equal("10.9.0.2/24", ipam.Next("web"));
        ipam.Release(IdOf("web"), Ip("10.9.0.2"));
        Assert.Equal("10.9.0.3/24", ipam.Next("web"));
    }

    [Fact]
    public void Subnets_record_the_pool_that_holds_them()
    {
        var ipam = IpamService.Create();
        var subnets = ipam.AddV6("web", Subnet("10.10.0.0/16", range: "10.10.1.0/24"));
        Assert.Equal(["LocalDefault/10.10.0.0/16/10.10.1.0/24", "LocalDefault/fd00:504c::/64"], subnets.Select(s => s.PoolId));
    }
}
