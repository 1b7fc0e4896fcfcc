using System.Net;
using Plexus.Kernel.Rtnl;
using Plexus.Kernel.Types;

namespace Plexus.Kernel.Tests.Unit;

/// <summary>MacAddress, IPPrefix and InterfaceName: parsing, formatting and validation.</summary>
public class TypesTests
{
    // ---- MacAddress ---------------------------------------------------------------------------------

    [Theory]
    [InlineData("02:42:ac:11:00:02", "02:42:ac:11:00:02")]
    [InlineData("02:42:AC:11:00:02", "02:42:ac:11:00:02")]
    [InlineData("02-42-ac-11-00-02", "02:42:ac:11:00:02")]
    [InlineData("ff:ff:ff:ff:ff:ff", "ff:ff:ff:ff:ff:ff")]
    [InlineData("00:00:00:00:00:00", "00:00:00:00:00:00")]
    public void Mac_parse_and_format(string text, string formatted)
    {
        var mac = MacAddress.Parse(text);
        Assert.Equal(formatted, mac.ToString());
        Assert.Equal(formatted, $"{mac}");
        Assert.True(MacAddress.TryParse(text, out var again));
        Assert.Equal(mac, again);
        Assert.Equal(Convert.FromHexString(formatted.Replace(":", "", StringComparison.Ordinal)), mac.GetBytes());
    }

    [Fact]
    public void Mac_bytes_round_trip_in_wire_order()
    {
        byte[] bytes = [0x02, 0x42, 0xac, 0x11, 0x00, 0x02];
        var mac = new MacAddress(bytes);
        Assert.Equal("02:42:ac:11:00:02", mac.ToString());
        Span<byte> copy = stackalloc byte[6];
        mac.CopyTo(copy);
        Assert.Equal(bytes, copy.ToArray());
        Assert.Equal(MacAddress.Parse("02:42:ac:11:00:02"), mac);
        Assert.Equal(MacAddress.Parse("02:42:ac:11:00:02").GetHashCode(), mac.GetHashCode());
        Assert.NotEqual(MacAddress.Parse("02:42:ac:11:00:03"), mac);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(7)]
    [InlineData(0)]
    public void Mac_from_wrong_number_of_bytes_is_rejected(int length)
    {
        var e = Assert.Throws<ArgumentException>(() => new MacAddress(new byte[length]));
        Assert.Contains($"not {length}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Mac_from_IPv4_is_dockers_02_42_prefix()
    {
        Assert.Equal("02:42:ac:11:00:02", MacAddress.FromIPv4(IPAddress.Parse("172.17.0.2")).ToString());
        Assert.Equal("02:42:0a:ff:00:fe", MacAddress.FromIPv4(IPAddress.Parse("10.255.0.254")).ToString());
        Assert.False(MacAddress.FromIPv4(IPAddress.Parse("172.17.0.2")).IsMulticast);
        var e = Assert.Throws<ArgumentException>(() => MacAddress.FromIPv4(IPAddress.Parse("fd00::2")));
        Assert.Contains("'fd00::2' is not an IPv4 address", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>(() => MacAddress.FromIPv4(null!));
    }

    [Theory]
    [InlineData("")]
    [InlineData("02:42:ac:11:00")]
    [InlineData("02:42:ac:11:00:02:03")]
    [InlineData("02:42:ac:11:00:0g")]
    [InlineData("02.42.ac.11.00.02")]
    [InlineData("0242ac110002")]
    [InlineData("0242.ac11.0002")]
    [InlineData(" 2:42:ac:11:00:02")]
    [InlineData("+2:42:ac:11:00:02")]
    [InlineData("02:42:ac:11:00:2 ")]
    [InlineData("02::42:ac:11:00:2")]
    [InlineData("2:42:ac:11:0:2")]
    public void Bad_mac_text_is_a_FormatException_naming_the_input(string text)
    {
        var e = Assert.Throws<FormatException>(() => MacAddress.Parse(text));
        Assert.Contains($"'{text}'", e.Message, StringComparison.Ordinal);
        Assert.Contains("not a MAC address", e.Message, StringComparison.Ordinal);
        Assert.False(MacAddress.TryParse(text, out var mac));
        Assert.Equal(default, mac);
        Assert.Throws<ArgumentNullException>(() => MacAddress.Parse(null!));
    }

    [Theory]
    [InlineData("01:00:5e:00:00:01", true)]
    [InlineData("33:33:00:00:00:01", true)]
    [InlineData("ff:ff:ff:ff:ff:ff", true)]
    [InlineData("02:42:ac:11:00:02", false)]
    [InlineData("fe:ff:ff:ff:ff:ff", false)]
    public void Mac_multicast_bit_is_the_low_bit_of_the_first_byte(string text, bool multicast)
    {
        Assert.Equal(multicast, MacAddress.Parse(text).IsMulticast);
    }

    [Fact]
    public void Mac_TryFormat_needs_17_chars()
    {
        var mac = MacAddress.Parse("02:42:ac:11:00:02");
        Span<char> small = stackalloc char[16];
        Assert.False(mac.TryFormat(small, out int written, default, null));
        Assert.Equal(0, written);
        Span<char> room = stackalloc char[20];
        Assert.True(mac.TryFormat(room, out written, default, null));
        Assert.Equal("02:42:ac:11:00:02", room[..written].ToString());
    }

    // ---- IPPrefix -----------------------------------------------------------------------------------

    [Theory]
    [InlineData("172.18.0.1/16", "172.18.0.1", 16, true, "172.18.0.0/16")]
    [InlineData("10.1.2.3/31", "10.1.2.3", 31, true, "10.1.2.2/31")]
    [InlineData("10.1.2.3/0", "10.1.2.3", 0, true, "0.0.0.0/0")]
    [InlineData("10.1.2.3", "10.1.2.3", 32, true, "10.1.2.3/32")]
    [InlineData("fd00::1/64", "fd00::1", 64, false, "fd00::/64")]
    [InlineData("fd00:1234:5678::1/20", "fd00:1234:5678::1", 20, false, "fd00:1000::/20")]
    [InlineData("fd00::1", "fd00::1", 128, false, "fd00::1/128")]
    [InlineData("::/0", "::", 0, false, "::/0")]
    public void Prefix_parse_keeps_host_bits_and_network_clears_them(string text, string address, int length, bool ipv4, string network)
    {
        var prefix = IPPrefix.Parse(text);
        Assert.Equal(IPAddress.Parse(address), prefix.Address);
        Assert.Equal(length, prefix.PrefixLength);
        Assert.Equal(ipv4, prefix.IsIPv4);
        Assert.Equal(IPNetwork.Parse(network), prefix.Network);
        Assert.Equal($"{address}/{length}", prefix.ToString());
        Assert.Equal(prefix, IPPrefix.Parse(prefix.ToString()));
    }

    [Theory]
    [InlineData("10.0.0.1/33", "prefix length /33 in '10.0.0.1/33' is out of range (0 to 32)")]
    [InlineData("fd00::1/129", "prefix length /129 in 'fd00::1/129' is out of range (0 to 128)")]
    [InlineData("10.0.0.1/-1", "'10.0.0.1/-1' has no valid prefix length")]
    [InlineData("10.0.0.1/+8", "'10.0.0.1/+8' has no valid prefix length")]
    [InlineData("10.0.0.1/", "'10.0.0.1/' has no valid prefix length")]
    [InlineData("10.0.0.1/ 8", "'10.0.0.1/ 8' has no valid prefix length")]
    [InlineData("10.0.0.1/8/8", "'10.0.0.1/8/8' has no valid prefix length")]
    [InlineData("10.0.0.1/x", "'10.0.0.1/x' has no valid prefix length")]
    [InlineData("10.0.0.1/99999999999", "'10.0.0.1/99999999999' has no valid prefix length")]
    [InlineData("", "'' is not an address with a prefix")]
    [InlineData("/24", "'/24' is not an address with a prefix")]
    [InlineData("garbage", "'garbage' is not an address with a prefix")]
    [InlineData("300.1.1.1/8", "'300.1.1.1/8' is not an address with a prefix")]
    [InlineData("fd00:::1/64", "'fd00:::1/64' is not an address with a prefix")]
    public void Bad_prefix_text_is_a_FormatException_naming_the_input(string text, string message)
    {
        var e = Assert.Throws<FormatException>(() => IPPrefix.Parse(text));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Prefix_constructor_checks_the_length_against_the_family()
    {
        Assert.Equal(32, new IPPrefix(IPAddress.Parse("10.0.0.1"), 32).PrefixLength);
        Assert.Equal(128, new IPPrefix(IPAddress.IPv6Loopback, 128).PrefixLength);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new IPPrefix(IPAddress.Parse("10.0.0.1"), 33));
        Assert.Contains("/33 is out of range for 10.0.0.1 (0 to 32)", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new IPPrefix(IPAddress.Parse("10.0.0.1"), -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new IPPrefix(IPAddress.IPv6Any, 129));
        Assert.Throws<ArgumentNullException>(() => new IPPrefix(null!, 8));
        Assert.Throws<ArgumentNullException>(() => IPPrefix.Parse(null!));
    }

    [Theory]
    [InlineData("172.18.5.7", 12, "172.16.0.0")]
    [InlineData("172.18.5.7", 0, "0.0.0.0")]
    [InlineData("172.18.5.7", 32, "172.18.5.7")]
    [InlineData("255.255.255.255", 25, "255.255.255.128")]
    [InlineData("fd00:1234:5678::1", 20, "fd00:1000::")]
    [InlineData("fd00:1234:5678::1", 128, "fd00:1234:5678::1")]
    public void Mask_clears_every_bit_after_the_prefix(string address, int length, string masked)
    {
        Assert.Equal(IPAddress.Parse(masked), IPPrefix.Mask(IPAddress.Parse(address), length));
    }

    // ---- InterfaceName ------------------------------------------------------------------------------

    [Theory]
    [InlineData("eth0")]
    [InlineData("a")]
    [InlineData("abcdefghijklmno")]   // 15 bytes: the most Linux allows
    [InlineData("veth-0123abc.10")]
    [InlineData("...")]
    [InlineData("ééééééé")]           // 7 characters, 14 bytes
    public void Valid_interface_names_are_returned_as_they_are(string name)
    {
        Assert.Same(name, InterfaceName.Validate(name));
    }

    [Fact]
    public void A_16_byte_name_is_rejected_saying_15_bytes_is_the_most()
    {
        var e = Assert.Throws<ArgumentException>(() => InterfaceName.Validate("abcdefghijklmnop"));
        Assert.Equal("name", e.ParamName);
        Assert.Contains("'abcdefghijklmnop' is 16 bytes long; Linux allows at most 15", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_limit_counts_UTF8_bytes_not_characters()
    {
        var e = Assert.Throws<ArgumentException>(() => InterfaceName.Validate("éééééééé")); // 8 characters, 16 bytes
        Assert.Contains("16 bytes long; Linux allows at most 15", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_name_is_rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => InterfaceName.Validate(""));
        Assert.Contains("cannot be empty", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>(() => InterfaceName.Validate(null!));
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("a:b")]
    [InlineData("a b")]
    [InlineData("a\tb")]
    [InlineData("a\nb")]
    [InlineData("a\rb")]
    [InlineData("a\vb")]  // the kernel's isspace() includes \v and \f: it answers a bare EINVAL
    [InlineData("a\fb")]
    [InlineData("a\0b")]  // the kernel would silently create "a"
    [InlineData(" eth0")]
    [InlineData("eth0 ")]
    [InlineData(".")]
    [InlineData("..")]
    public void Names_the_kernel_refuses_are_rejected_naming_them(string name)
    {
        var e = Assert.Throws<ArgumentException>(() => InterfaceName.Validate(name));
        Assert.Equal("name", e.ParamName);
        Assert.Contains($"interface name '{name}' is not valid", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("à0")]        // U+00E0 is C3 A0 in UTF-8
    [InlineData("a\u00a0b")]  // no-break space, C2 A0
    public void Names_whose_UTF8_holds_byte_A0_are_rejected(string name)
    {
        // The kernel's isspace() works on bytes with a Latin-1 table, where 0xA0 is a space: Linux 6.18
        // refuses such names with a bare EINVAL.
        var e = Assert.Throws<ArgumentException>(() => InterfaceName.Validate(name));
        Assert.Contains($"interface name '{name}' is not valid", e.Message, StringComparison.Ordinal);
    }
}
