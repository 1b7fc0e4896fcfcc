using System.Net;
using Plexus.Engine.Controller;
using Plexus.Engine.Ipam;
using Plexus.Engine.Model;
using Plexus.Engine.Tests.Support;
using Plexus.Testing;

namespace Plexus.Engine.Tests.Privileged;

/// <summary>
/// A user's subnet that overlaps a subnet the host's own interfaces are on is refused (Docker only keeps its
/// default pools clear of those, and lets --subnet take the host's route away); nothing is made for it.
/// </summary>
[Trait("Category", "Privileged")]
public sealed class SubnetValidationTests
{
    private static NetworkCreateRequest Bridge(string name, string subnet) => new()
    {
        Name = name,
        IpamConfigs = [new IpamRequest { Subnet = IPNetwork.Parse(subnet) }],
    };

    [PrivilegedFact]
    public void Subnets_of_the_hosts_own_interfaces_and_on_link_routes_are_refused_naming_them()
    {
        using var w = new EngineWorld();
        // The world's host gets an uplink as a real host has: an address, and a route to a subnet on that link.
        foreach (var args in new[]
        {
            new[] { "ip", "link", "add", "uplink0", "type", "veth", "peer", "name", "uplink1" },
            ["ip", "addr", "add", "192.168.77.10/24", "dev", "uplink0"],
            ["ip", "link", "set", "uplink0", "up"],
            ["ip", "route", "add", "10.123.0.0/16", "dev", "uplink0"],
        })
        {
            var (code, output) = w.Net.Exec("host", args);
            Assert.True(code == 0, output);
        }
        var links = w.HostLinks();

        foreach (var (subnet, holder) in new[]
        {
            ("192.168.77.0/24", "192.168.77.10/24 on the host's interface uplink0"),
            ("192.168.0.0/16", "192.168.77.10/24 on the host's interface uplink0"),
            ("192.168.77.128/25", "192.168.77.10/24 on the host's interface uplink0"),
            ("10.123.5.0/24", "the host's route 10.123.0.0/16 on interface uplink0"),
        })
        {
            var e = Assert.Throws<PlexusException>(() => w.Controller.CreateNetwork(Bridge("clash", subnet)));
            Assert.Equal(ErrorKind.Conflict, e.Kind);
            Assert.Contains($"subnet {subnet} overlaps {holder}", e.Message, StringComparison.Ordinal);
        }
        Assert.Equal(links, w.HostLinks()); // no bridge was made for any of them
        Assert.DoesNotContain(w.Controller.Networks, n => n.Name == "clash");

        // Beside them is fine, and a network without --subnet is given a pool clear of them.
        w.Controller.CreateNetwork(Bridge("beside", "192.168.78.0/24"));
        var pooled = w.Controller.CreateNetwork(new NetworkCreateRequest { Name = "pooled" });
        Assert.DoesNotContain(pooled.Subnets, s => s.Subnet.Contains(IPAddress.Parse("192.168.77.10")) || s.Subnet.Contains(IPAddress.Parse("10.123.0.1")));

        // Another Plexus network's subnet is IPAM's to name, not the host's.
        var ours = Assert.Throws<PlexusException>(() => w.Controller.CreateNetwork(Bridge("again", "192.168.78.0/25")));
        Assert.Equal(ErrorKind.Conflict, ours.Kind);
        Assert.Contains("of network beside", ours.Message, StringComparison.Ordinal);
    }
}
