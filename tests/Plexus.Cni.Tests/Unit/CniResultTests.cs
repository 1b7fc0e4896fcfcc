using System.Text;
using System.Text.Json;
using Plexus.Api;
using Plexus.Cni;

namespace Plexus.Cni.Tests.Unit;

/// <summary>The result in each version the configuration may ask for, prevResult passed through, and CHECK's comparison.</summary>
public sealed class CniResultTests
{
    private static readonly CniAttachmentJson Attachment = new()
    {
        Bridge = new CniInterfaceJson { Name = "cni-web", Mac = "02:00:00:00:00:01" },
        HostInterface = new CniInterfaceJson { Name = "vpx0123456789ab", Mac = "02:00:00:00:00:02" },
        ContainerInterface = new CniInterfaceJson { Name = "eth0", Mac = "02:42:0a:58:00:05", Mtu = 1500, Sandbox = "/run/netns/c1" },
        Addresses = [new CniAddressJson("10.88.0.5/16", "10.88.0.1")],
        Routes = [new CniRouteJson("0.0.0.0/0", "10.88.0.1")],
        Dns = new CniDnsJson { Nameservers = ["127.0.0.11"] },
    };

    private static JsonElement Render(string version, JsonElement? prev = null)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream)) CniResult.Write(w, version, Attachment, prev);
        return JsonDocument.Parse(stream.ToArray()).RootElement;
    }

    [Theory]
    [InlineData("1.1.0")]
    [InlineData("1.0.0")]
    public void From_1_0_0_addresses_carry_no_version(string version)
    {
        var result = Render(version);
        Assert.Equal(version, result.GetProperty("cniVersion").GetString());
        var interfaces = result.GetProperty("interfaces");
        Assert.Equal(["cni-web", "vpx0123456789ab", "eth0"], interfaces.EnumerateArray().Select(i => i.GetProperty("name").GetString()!));
        Assert.Equal("/run/netns/c1", interfaces[2].GetProperty("sandbox").GetString());
        Assert.Equal("02:42:0a:58:00:05", interfaces[2].GetProperty("mac").GetString());
        var ip = Assert.Single(result.GetProperty("ips").EnumerateArray());
        Assert.Equal(("10.88.0.5/16", "10.88.0.1", 2), (ip.GetProperty("address").GetString(), ip.GetProperty("gateway").GetString(), ip.GetProperty("interface").GetInt32()));
        Assert.False(ip.TryGetProperty("version", out _));
        Assert.Equal("0.0.0.0/0", result.GetProperty("routes")[0].GetProperty("dst").GetString());
        Assert.Equal("127.0.0.11", result.GetProperty("dns").GetProperty("nameservers")[0].GetString());
    }

    [Theory]
    [InlineData("1.1.0", true)]
    [InlineData("1.0.0", false)]
    [InlineData("0.4.0", false)]
    public void The_container_interface_carries_its_MTU_from_1_1_0_and_the_bridge_its_MAC(string version, bool withMtu)
    {
        var interfaces = Render(version).GetProperty("interfaces");
        Assert.Equal("02:00:00:00:00:01", interfaces[0].GetProperty("mac").GetString());
        Assert.Equal(withMtu, interfaces[2].TryGetProperty("mtu", out var mtu));
        if (withMtu) Assert.Equal(1500, mtu.GetInt32());
    }

    [Theory]
    [InlineData("0.3.0")]
    [InlineData("0.3.1")]
    [InlineData("0.4.0")]
    public void Before_1_0_0_each_address_says_its_family(string version)
    {
        var ip = Render(version).GetProperty("ips")[0];
        Assert.Equal("4", ip.GetProperty("version").GetString());
    }

    [Fact]
    public void In_a_chain_the_previous_result_comes_first_and_indexes_follow_it()
    {
        var prev = JsonDocument.Parse("""{"cniVersion": "0.4.0", "interfaces": [{"name": "lo0"}], "ips": [{"address": "192.0.2.9/32", "interface": 0}], "routes": [{"dst": "192.0.2.0/24"}]}""").RootElement;
        var result = Render("1.0.0", prev);
        Assert.Equal(["lo0", "cni-web", "vpx0123456789ab", "eth0"], result.GetProperty("interfaces").EnumerateArray().Select(i => i.GetProperty("name").GetString()!));
        Assert.Equal(3, result.GetProperty("ips")[1].GetProperty("interface").GetInt32());
        Assert.Equal("192.0.2.9/32", result.GetProperty("ips")[0].GetProperty("address").GetString());
        Assert.Equal(2, result.GetProperty("routes").GetArrayLength());
        Assert.Equal("4", Render("0.4.0", prev).GetProperty("ips")[0].GetProperty("version").GetString());
    }

    [Fact]
    public void CHECK_finds_nothing_wrong_with_its_own_result_and_names_each_difference()
    {
        Assert.Empty(CniResult.Compare(Render("1.0.0"), Attachment));
        var moved = JsonDocument.Parse("""
        {"interfaces": [{"name": "eth0", "sandbox": "/run/netns/c1", "mac": "02:42:0a:58:00:06"}],
         "ips": [{"address": "10.88.0.6/16", "interface": 0}], "routes": [{"dst": "10.0.0.0/8", "gw": "10.88.0.1"}]}
        """).RootElement;
        var problems = CniResult.Compare(moved, Attachment);
        Assert.Contains(problems, p => p.Contains("has MAC 02:42:0a:58:00:05, prevResult says 02:42:0a:58:00:06", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("address 10.88.0.6/16 of prevResult", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("has address 10.88.0.5/16, which prevResult does not list", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("route to 10.0.0.0/8 via 10.88.0.1", StringComparison.Ordinal));
    }

    [Fact]
    public void Errors_and_VERSION_are_the_specs_objects()
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream)) CniResult.WriteError(w, "1.0.0", new CniError(CniError.TryAgain, "plexusd is down", "details"));
        var error = JsonDocument.Parse(stream.ToArray()).RootElement;
        Assert.Equal(("1.0.0", 11, "plexusd is down", "details"),
            (error.GetProperty("cniVersion").GetString(), error.GetProperty("code").GetInt32(), error.GetProperty("msg").GetString(), error.GetProperty("details").GetString()));
        Assert.Equal(-1, CniVersions.Compare("0.4.0", "1.0.0"));
        Assert.True(CniVersions.Supports("0.4.0", "CHECK"));
        Assert.False(CniVersions.Supports("0.3.1", "CHECK"));
        Assert.False(CniVersions.Supports("1.0.0", "GC"));
    }
}
