using System.Net;
using Plexus.Engine.Dns;
using Plexus.Engine.Model;
using Plexus.Engine.Tests.Support;
using Plexus.Kernel.Types;

namespace Plexus.Engine.Tests.Dns;

public sealed class DnsRegistryTests
{
    private static readonly NetworkState Red = Net("red", "10.1.0.0/24");
    private static readonly NetworkState Blue = Net("blue", "10.2.0.0/24");

    private static NetworkState Net(string name, string subnet) => new()
    {
        Id = name + "-id", Name = name, Driver = "bridge",
        Subnets = [new SubnetState { Subnet = IPNetwork.Parse(subnet), Gateway = IPAddress.Parse(subnet.Replace("0/24", "1", StringComparison.Ordinal)) }],
    };

    private static SandboxState Box(string name) => new() { Id = name.PadRight(64, '0'), Name = name, NamespacePath = "/x" };

    private static EndpointState Ep(string id, NetworkState n, string ip, params string[] aliases) =>
        new() { Id = id, Name = id, NetworkId = n.Id, IPv4 = IPPrefix.Parse(ip + "/24"), Aliases = aliases };

    [Fact]
    public void Names_ids_and_aliases_resolve_on_shared_networks_only()
    {
        var r = new DnsRegistry();
        var (a, b, c) = (Box("a"), Box("B"), Box("c"));
        r.Publish(Red, Ep("e1", Red, "10.1.0.10", "alias"), a);
        r.Publish(Blue, Ep("e2", Blue, "10.2.0.10"), b);
        r.Publish(Red, Ep("e3", Red, "10.1.0.20"), c);

        Assert.Equal(["10.1.0.10"], r.Lookup(c.Id, "a", DnsType.A).Addresses.Select(x => x.ToString()));
        Assert.Equal(["10.1.0.10"], r.Lookup(c.Id, "alias", DnsType.A).Addresses.Select(x => x.ToString()));
        Assert.Equal(["10.1.0.10"], r.Lookup(c.Id, "a".PadRight(12, '0'), DnsType.A).Addresses.Select(x => x.ToString())); // short id
        Assert.Equal(["10.1.0.10"], r.Lookup(c.Id, "a.red", DnsType.A).Addresses.Select(x => x.ToString()));
        Assert.Equal(DnsRcode.NxDomain, r.Lookup(c.Id, "b", DnsType.A).Rcode);        // only on blue
        Assert.Equal(DnsRcode.NxDomain, r.Lookup(c.Id, "nobody.red", DnsType.A).Rcode);
        Assert.False(r.Lookup(c.Id, "www.example.com", DnsType.A).IsLocal);           // upstream's
        Assert.False(r.Lookup("unknown-sandbox", "a", DnsType.A).IsLocal);
        Assert.Equal(["10.2.0.10"], r.Lookup(b.Id, "b", DnsType.A).Addresses.Select(x => x.ToString())); // "B" is found as "b"

        // PTR: inside the shared subnets it is Plexus's, outside it is upstream's.
        Assert.Equal(["a.red"], r.Lookup(c.Id, DnsNames.ReverseName(IPAddress.Parse("10.1.0.10")), DnsType.Ptr).PtrNames);
        Assert.Equal(DnsRcode.NxDomain, r.Lookup(c.Id, DnsNames.ReverseName(IPAddress.Parse("10.1.0.99")), DnsType.Ptr).Rcode);
        Assert.False(r.Lookup(c.Id, DnsNames.ReverseName(IPAddress.Parse("10.2.0.10")), DnsType.Ptr).IsLocal);
    }

    [Fact]
    public void A_withdrawn_endpoint_is_gone_at_once_and_others_under_its_alias_stay()
    {
        var r = new DnsRegistry();
        var (s1, s2, client) = (Box("s1"), Box("s2"), Box("client"));
        var e1 = Ep("e1", Red, "10.1.0.11", "svc");
        r.Publish(Red, e1, s1);
        r.Publish(Red, Ep("e2", Red, "10.1.0.12", "svc"), s2);
        r.Publish(Red, Ep("e3", Red, "10.1.0.13"), client);
        Assert.Equal(2, r.Lookup(client.Id, "svc", DnsType.A).Addresses.Count);

        r.Withdraw(Red, e1, s1);
        Assert.Equal(["10.1.0.12"], r.Lookup(client.Id, "svc", DnsType.A).Addresses.Select(x => x.ToString()));
        Assert.Equal(DnsRcode.NxDomain, r.Lookup(client.Id, "s1", DnsType.A).Rcode);
        Assert.Equal(DnsRcode.NxDomain, r.Lookup(client.Id, DnsNames.ReverseName(IPAddress.Parse("10.1.0.11")), DnsType.Ptr).Rcode);
        Assert.False(r.HasNetworks(s1.Id));
        Assert.True(r.HasNetworks(client.Id));
    }

    [Fact]
    public void Link_aliases_belong_to_the_linking_sandbox()
    {
        var r = new DnsRegistry();
        var (server, client, other) = (Box("server"), Box("client"), Box("other"));
        r.Publish(Red, Ep("e1", Red, "10.1.0.10"), server);
        r.Publish(Red, Ep("e2", Red, "10.1.0.20"), client);
        r.Publish(Red, Ep("e3", Red, "10.1.0.30"), other);
        r.Configure(client.Id, new ResolverConfig { Links = [new SandboxLink("server", "db")] });
        Assert.Equal(["10.1.0.10"], r.Lookup(client.Id, "DB", DnsType.A).Addresses.Select(x => x.ToString()));
        Assert.Equal(DnsRcode.NxDomain, r.Lookup(other.Id, "db", DnsType.A).Rcode);
    }
}
