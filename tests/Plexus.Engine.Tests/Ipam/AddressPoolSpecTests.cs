using System.Net;
using Plexus.Engine.Ipam;

namespace Plexus.Engine.Tests.Ipam;

public class AddressPoolSpecTests
{
    [Fact]
    public void IPv4_defaults_are_Dockers_local_pools()
    {
        var pools = AddressPoolSpec.DefaultIPv4;
        Assert.Equal(16, pools.Count);
        for (int i = 0; i < 15; i++)
        {
            Assert.Equal(IPNetwork.Parse($"172.{17 + i}.0.0/16"), pools[i].Base);
            Assert.Equal(16, pools[i].Size);
        }
        Assert.Equal(new AddressPoolSpec(IPNetwork.Parse("192.168.0.0/16"), 20), pools[15]);
    }

    [Fact]
    public void IPv6_default_is_a_ULA_48_split_into_64s()
    {
        var pool = AddressPoolSpec.DefaultIPv6;
        Assert.Equal(IPNetwork.Parse("fd00:504c::/48"), pool.Base);
        Assert.Equal(64, pool.Size);
        Assert.Equal(6, pool.IpVersion);
        Assert.Equal([.. AddressPoolSpec.DefaultIPv4, pool], AddressPoolSpec.Defaults);
    }

    [Theory]
    [InlineData("10.0.0.0/16", 15)]
    [InlineData("10.0.0.0/16", 31)]
    [InlineData("10.0.0.0/16", 33)]
    [InlineData("0.0.0.0/0", 0)]
    [InlineData("fd00::/48", 127)]
    public void Rejects_sizes_that_do_not_fit_or_leave_no_room(string network, int size)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new AddressPoolSpec(IPNetwork.Parse(network), size));
        Assert.Contains(network, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Describes_itself_like_the_configuration()
    {
        Assert.Equal("192.168.0.0/16 split into /20", new AddressPoolSpec(IPNetwork.Parse("192.168.0.0/16"), 20).ToString());
        Assert.Equal(4, new AddressPoolSpec(IPNetwork.Parse("10.0.0.0/8"), 24).IpVersion);
    }
}
