using Plexus.Engine.Ipam;
using Plexus.Engine.Model;
using static Plexus.Engine.Tests.Ipam.IpamTestKit;

namespace Plexus.Engine.Tests.Ipam;

/// <summary>The null driver, as Docker's: a 0.0.0.0/0 pool in the "null" space that hands out nothing.</summary>
public class NullIpamTests
{
    private readonly NullIpam _ipam = new();

    [Fact]
    public void Its_one_pool_holds_no_addresses()
    {
        Assert.Equal(new AddressSpaces("null", "null"), _ipam.GetDefaultAddressSpaces());
        var pool = _ipam.RequestPool(new PoolRequest { AddressSpace = "null" });
        Assert.Equal(("null/0.0.0.0/0", Net("0.0.0.0/0")), (pool.PoolId, pool.Pool));
        Assert.Null(_ipam.RequestAddress(pool.PoolId, null, IpamOptions.None));
        _ipam.ReleaseAddress(pool.PoolId, Ip("10.0.0.1"));
        _ipam.ReleasePool(pool.PoolId);
    }

    [Fact]
    public void Subnets_ranges_IPv6_and_specific_addresses_are_refused_by_name()
    {
        var owner = new PoolRequest { Owner = "network bare" };
        Assert.Equal("network bare: the null IPAM driver assigns no addresses, so subnet 10.0.0.0/24 (--subnet) cannot be used with it",
            Fails(ErrorKind.InvalidArgument, () => _ipam.RequestPool(owner with { Pool = Net("10.0.0.0/24") })).Message);
        Assert.Contains("does not handle IPv6", Fails(ErrorKind.InvalidArgument, () => _ipam.RequestPool(owner with { V6 = true })).Message, StringComparison.Ordinal);
        Assert.Contains("unknown address space LocalDefault",
            Fails(ErrorKind.InvalidArgument, () => _ipam.RequestPool(owner with { AddressSpace = "LocalDefault" })).Message, StringComparison.Ordinal);
        Fails(ErrorKind.InvalidArgument, () => _ipam.RequestAddress("null/0.0.0.0/0", Ip("10.0.0.5"), IpamOptions.None));
    }

    [Fact]
    public void A_network_on_the_null_driver_has_no_subnet_and_its_endpoints_no_address()
    {
        var ipam = IpamService.Create();
        var subnets = ipam.AddNetwork(IdOf("bare"), "bare", [], enableIPv6: false, NoOptions, NoHostPrefixes, driver: "null");

        Assert.Empty(subnets);
        Assert.Contains("no IPv4 subnet", Fails(ErrorKind.InvalidArgument, () => ipam.Allocate(IdOf("bare"), 4)).Message, StringComparison.Ordinal);
        ipam.RemoveNetwork(IdOf("bare"));
        // Restored from the store as it was stored: still no subnet, nothing replayed.
        ipam.RestoreNetwork(IdOf("bare"), "bare", [], NoOptions, [], driver: "null");
        Fails(ErrorKind.InvalidArgument, () => ipam.Allocate(IdOf("bare"), 4));
    }

    [Fact]
    public void A_null_network_with_a_subnet_or_IPv6_is_refused_and_leaves_nothing_behind()
    {
        var ipam = IpamService.Create();
        Fails(ErrorKind.InvalidArgument, () => ipam.AddNetwork(IdOf("bare"), "bare", [Subnet("10.7.0.0/24")], false, NoOptions, NoHostPrefixes, driver: "null"));
        Fails(ErrorKind.InvalidArgument, () => ipam.AddNetwork(IdOf("bare"), "bare", [], enableIPv6: true, NoOptions, NoHostPrefixes, driver: "null"));

        Assert.Empty(ipam.AddNetwork(IdOf("bare"), "bare", [], false, NoOptions, NoHostPrefixes, driver: "null"));
    }
}
