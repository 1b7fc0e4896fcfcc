using System.Net;
using System.Net.Sockets;
using Plexus.Engine.Ipam;

namespace Plexus.Engine.Tests.Ipam;

public class IPMathTests
{
    [Theory]
    [InlineData("0.0.0.0", "0")]
    [InlineData("172.18.0.1", "2886860801")]
    [InlineData("255.255.255.255", "4294967295")]
    [InlineData("::1", "1")]
    [InlineData("fd00::1:0", "336294682933583715844663186250927243264")]
    [InlineData("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "340282366920938463463374607431768211455")]
    public void Converts_addresses_to_numbers_and_back(string text, string number)
    {
        var address = IPAddress.Parse(text);
        var value = IPMath.ToUInt128(address);
        Assert.Equal(UInt128.Parse(number, System.Globalization.CultureInfo.InvariantCulture), value);
        Assert.Equal(address, IPMath.ToAddress(value, address.AddressFamily));
    }

    [Fact]
    public void ToAddress_rejects_values_too_large_for_IPv4() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => IPMath.ToAddress((UInt128)uint.MaxValue + 1, AddressFamily.InterNetwork));

    [Fact]
    public void Bounds_give_first_and_last_address()
    {
        var (first, last) = IPMath.Bounds(IPNetwork.Parse("10.1.2.0/23"));
        Assert.Equal(IPAddress.Parse("10.1.2.0"), IPMath.ToAddress(first, AddressFamily.InterNetwork));
        Assert.Equal(IPAddress.Parse("10.1.3.255"), IPMath.ToAddress(last, AddressFamily.InterNetwork));

        var (first6, last6) = IPMath.Bounds(IPNetwork.Parse("fd00:504c::/64"));
        Assert.Equal(ulong.MaxValue, (ulong)(last6 - first6));
        Assert.Equal(UInt128.MaxValue, IPMath.Bounds(IPNetwork.Parse("::/0")).Last);
    }

    [Theory]
    [InlineData("172.18.0.0/16", "172.18.5.0/24", true)]
    [InlineData("172.18.5.0/24", "172.18.0.0/16", true)]
    [InlineData("172.18.0.0/16", "172.18.0.0/16", true)]
    [InlineData("172.18.0.0/16", "172.19.0.0/16", false)]
    [InlineData("10.0.0.0/30", "10.0.0.4/30", false)]
    [InlineData("0.0.0.0/0", "fd00::/8", false)]
    [InlineData("fd00::/8", "fd00:504c::/64", true)]
    public void Overlaps_when_one_prefix_holds_the_other(string a, string b, bool overlap) =>
        Assert.Equal(overlap, IPMath.Overlaps(IPNetwork.Parse(a), IPNetwork.Parse(b)));

    [Theory]
    [InlineData("172.18.0.0/16", "172.18.5.0/24", true)]
    [InlineData("172.18.5.0/24", "172.18.0.0/16", false)]
    [InlineData("172.18.0.0/16", "172.19.0.0/24", false)]
    [InlineData("::/0", "0.0.0.0/8", false)]
    public void Contains_only_whole_prefixes(string outer, string inner, bool contains) =>
        Assert.Equal(contains, IPMath.Contains(IPNetwork.Parse(outer), IPNetwork.Parse(inner)));

    [Fact]
    public void Normalize_unmaps_IPv4_mapped_addresses_only()
    {
        Assert.Equal(IPAddress.Parse("172.18.0.5"), IPMath.Normalize(IPAddress.Parse("::ffff:172.18.0.5")));
        Assert.Equal(IPAddress.Parse("fd00::5"), IPMath.Normalize(IPAddress.Parse("fd00::5")));
    }

    [Fact]
    public void HostMask_covers_zero_to_128_bits()
    {
        Assert.Equal(UInt128.Zero, IPMath.HostMask(0));
        Assert.Equal((UInt128)0xFF, IPMath.HostMask(8));
        Assert.Equal(UInt128.MaxValue, IPMath.HostMask(128));
    }
}
