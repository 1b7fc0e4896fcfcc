using Plexus.Engine.Ipam;
using Plexus.Engine.Model;
using static Plexus.Engine.Tests.Ipam.IpamTestKit;

namespace Plexus.Engine.Tests.Ipam;

/// <summary>Subnets whose addresses the kernel gives another meaning are refused before anything is allocated.</summary>
public class ReservedRangesTests
{
    private readonly IpamService _ipam = IpamService.Create();

    [Theory]
    [InlineData("127.0.0.0/8", "loopback")]
    [InlineData("127.5.0.0/16", "loopback")]
    [InlineData("224.1.0.0/16", "multicast")]
    [InlineData("239.255.0.0/24", "multicast")]
    [InlineData("169.254.0.0/16", "link-local")]
    [InlineData("169.254.3.0/24", "link-local")]
    [InlineData("0.0.0.0/8", "this network")]
    [InlineData("0.0.0.0/1", "this network")]
    [InlineData("255.255.255.252/30", "broadcast")]
    public void Ipv4_subnets_that_cannot_hold_a_network_are_refused(string subnet, string what)
    {
        var e = Assert.Throws<PlexusException>(() => _ipam.Add("web", Subnet(subnet)));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.Contains($"invalid subnet {subnet}", e.Message, StringComparison.Ordinal);
        Assert.Contains(what, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ff00::/8", "multicast")]
    [InlineData("ff02::/16", "multicast")]
    [InlineData("fe80::/64", "link-local")]
    [InlineData("febf::/16", "link-local")]
    [InlineData("::1/128", "too small")]
    [InlineData("::/96", "unspecified")]
    [InlineData("::ffff:0:0/112", "IPv4-mapped")]
    public void Ipv6_subnets_that_cannot_hold_a_network_are_refused(string subnet, string what)
    {
        var e = Assert.Throws<PlexusException>(() => _ipam.AddV6("web", Subnet(subnet)));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.Contains(what, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10.0.0.0/8")]
    [InlineData("172.16.0.0/12")]
    [InlineData("192.168.0.0/16")]
    [InlineData("100.64.0.0/10")]
    [InlineData("198.18.0.0/15")]
    [InlineData("240.0.0.0/24")] // class E: Linux assigns it as unicast
    public void Ordinary_and_special_purpose_unicast_subnets_pass(string subnet) =>
        Assert.Single(_ipam.Add("web", Subnet(subnet)));

    [Fact]
    public void Unique_local_and_documentation_ipv6_subnets_pass()
    {
        Assert.Contains(_ipam.AddV6("a", Subnet("fd00:1::/64")), s => s.Subnet == Net("fd00:1::/64"));
        Assert.Contains(_ipam.AddV6("b", Subnet("2001:db8:1::/64")), s => s.Subnet == Net("2001:db8:1::/64"));
    }
}
