using Plexus.Engine.Ipam;
using Plexus.Engine.Model;
using static Plexus.Engine.Tests.Ipam.IpamTestKit;

namespace Plexus.Engine.Tests.Ipam;

/// <summary>The default driver through the pool contract (ipamapi) alone, as a controller or plugin would use it.</summary>
public class DefaultIpamDriverTests
{
    private static readonly IReadOnlyDictionary<string, string> Gateway =
        new Dictionary<string, string> { [IpamOptions.RequestAddressType] = IpamOptions.Gateway };

    private readonly DefaultIpam _ipam = new();

    [Fact]
    public void Default_address_spaces_are_libnetworks_and_state_is_replayed_after_a_restart()
    {
        Assert.Equal(new AddressSpaces("LocalDefault", "GlobalDefault"), _ipam.GetDefaultAddressSpaces());
        Assert.True(_ipam.Capabilities.RequiresRequestReplay);
        Assert.Equal("default", _ipam.Name);
    }

    [Fact]
    public void A_pool_id_names_space_subnet_and_sub_pool()
    {
        var plain = _ipam.RequestPool(new PoolRequest { Pool = Net("10.1.0.0/24") });
        var ranged = _ipam.RequestPool(new PoolRequest { AddressSpace = "LocalDefault", Pool = Net("10.2.0.0/16"), SubPool = Net("10.2.5.0/24") });

        Assert.Equal(("LocalDefault/10.1.0.0/24", Net("10.1.0.0/24")), (plain.PoolId, plain.Pool));
        Assert.Equal("LocalDefault/10.2.0.0/16/10.2.5.0/24", ranged.PoolId);
    }

    [Fact]
    public void Endpoint_addresses_come_from_the_sub_pool_and_the_gateway_from_the_whole_pool()
    {
        var pool = _ipam.RequestPool(new PoolRequest { Pool = Net("10.2.0.0/16"), SubPool = Net("10.2.5.0/24") }).PoolId;

        Assert.Equal("10.2.0.1/16", _ipam.RequestAddress(pool, null, Gateway)!.Value.ToString());
        Assert.Equal("10.2.5.0/16", _ipam.RequestAddress(pool, null, IpamOptions.None)!.Value.ToString());
        Assert.Equal("10.2.9.9/16", _ipam.RequestAddress(pool, Ip("10.2.9.9"), IpamOptions.None)!.Value.ToString());
        var taken = Fails(ErrorKind.Conflict, () => _ipam.RequestAddress(pool, Ip("10.2.0.1"), IpamOptions.None));
        Assert.Contains("the gateway of 10.2.0.0/16", taken.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_full_pool_gives_no_address_and_a_released_one_is_handed_out_again()
    {
        var pool = _ipam.RequestPool(new PoolRequest { Pool = Net("10.3.0.0/30"), Owner = "network tiny" }).PoolId;
        _ipam.RequestAddress(pool, null, Gateway);
        var only = _ipam.RequestAddress(pool, null, IpamOptions.None)!.Value;

        Assert.Null(_ipam.RequestAddress(pool, null, IpamOptions.None));
        _ipam.ReleaseAddress(pool, only.Address);
        Assert.Equal(only, _ipam.RequestAddress(pool, null, IpamOptions.None));
    }

    [Fact]
    public void Overlapping_pools_are_refused_in_one_address_space_but_not_across_spaces()
    {
        _ipam.RequestPool(new PoolRequest { Pool = Net("10.4.0.0/16"), Owner = "network a" });

        var error = Fails(ErrorKind.Conflict, () => _ipam.RequestPool(new PoolRequest { Pool = Net("10.4.1.0/24"), Owner = "network b" }));
        Assert.Equal("network b: subnet 10.4.1.0/24 overlaps subnet 10.4.0.0/16 of network a (Pool overlaps with other one on this address space)", error.Message);
        var global = _ipam.RequestPool(new PoolRequest { AddressSpace = "GlobalDefault", Pool = Net("10.4.1.0/24") });
        Assert.Equal("GlobalDefault/10.4.1.0/24", global.PoolId);
    }

    [Fact]
    public void A_released_pool_frees_its_subnet_and_forgets_its_addresses()
    {
        var pool = _ipam.RequestPool(new PoolRequest { Pool = Net("10.5.0.0/24") }).PoolId;
        _ipam.ReleasePool(pool);
        _ipam.ReleasePool(pool); // again: ignored, for rollbacks

        Fails(ErrorKind.NotFound, () => _ipam.RequestAddress(pool, null, IpamOptions.None));
        Assert.Equal(pool, _ipam.RequestPool(new PoolRequest { Pool = Net("10.5.0.0/24") }).PoolId);
    }

    [Fact]
    public void Default_pools_skip_excluded_prefixes_and_v6_asks_for_an_IPv6_one()
    {
        var v4 = _ipam.RequestPool(new PoolRequest { Exclude = [Net("172.17.0.0/16")] });
        var v6 = _ipam.RequestPool(new PoolRequest { V6 = true });

        Assert.Equal(Net("172.18.0.0/16"), v4.Pool);
        Assert.Equal(Net("fd00:504c::/64"), v6.Pool);
    }

    [Fact]
    public void Bad_requests_name_the_problem()
    {
        Assert.Contains("unknown address space Elsewhere",
            Fails(ErrorKind.InvalidArgument, () => _ipam.RequestPool(new PoolRequest { AddressSpace = "Elsewhere" })).Message, StringComparison.Ordinal);
        Assert.Contains("IPv4 but an IPv6 pool was requested",
            Fails(ErrorKind.InvalidArgument, () => _ipam.RequestPool(new PoolRequest { Pool = Net("10.6.0.0/24"), V6 = true })).Message, StringComparison.Ordinal);
        Assert.Contains("needs a subnet",
            Fails(ErrorKind.InvalidArgument, () => _ipam.RequestPool(new PoolRequest { SubPool = Net("10.6.0.0/25") })).Message, StringComparison.Ordinal);
        Fails(ErrorKind.NotFound, () => _ipam.RequestAddress("LocalDefault/10.99.0.0/24", null, IpamOptions.None));
    }
}
