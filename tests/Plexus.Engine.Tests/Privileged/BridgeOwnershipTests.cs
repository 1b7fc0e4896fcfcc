using System.Net;
using Plexus.Engine.Controller;
using Plexus.Engine.Drivers.Bridge;
using Plexus.Engine.Ipam;
using Plexus.Engine.Model;
using Plexus.Engine.Tests.Support;
using Plexus.Kernel.Rtnl.LinkKinds;
using Plexus.Kernel.Types;
using Plexus.Testing;

namespace Plexus.Engine.Tests.Privileged;

/// <summary>Plexus touches only the bridges it made, and knows them by their mark, never by their name alone.</summary>
[Trait("Category", "Privileged")]
public sealed class BridgeOwnershipTests
{
    private static NetworkCreateRequest Bridge(string name, string subnet, string? bridgeName = null) => new()
    {
        Name = name,
        Options = bridgeName is null ? new Dictionary<string, string>() : new Dictionary<string, string> { [BridgeOptions.BridgeName] = bridgeName },
        IpamConfigs = subnet.Length == 0 ? [] : [new IpamRequest { Subnet = IPNetwork.Parse(subnet) }],
    };

    /// <summary>Issue 11: a loser's rollback deleted the winner's bridge, by name.</summary>
    [PrivilegedFact]
    public async Task Concurrent_creates_with_one_bridge_name_leave_the_winner_with_its_bridge()
    {
        using var w = new EngineWorld();
        var c = w.Controller;
        for (int round = 0; round < 5; round++)
        {
            var bridge = $"brrace{round}";
            using var start = new ManualResetEventSlim();
            var attempts = Enumerable.Range(0, 8).Select(i => Task.Run(NetworkState? () =>
            {
                start.Wait();
                try
                {
                    return c.CreateNetwork(Bridge($"race{round}-{i}", "", bridge));
                }
                catch (PlexusException e)
                {
                    Assert.Equal(ErrorKind.Conflict, e.Kind);
                    Assert.Contains(bridge, e.Message, StringComparison.Ordinal);
                    return null;
                }
            })).ToArray();
            start.Set();
            var winner = Assert.Single(await Task.WhenAll(attempts), n => n is not null)!;
            var link = w.Net.Host.FindLink(bridge);
            Assert.NotNull(link);
            Assert.Equal("bridge", link.Kind);
            Assert.Equal("plexus:" + winner.Id, link.Alias);
            // And it works: a sandbox joins it and reaches its gateway.
            c.CreateSandbox(new SandboxCreateRequest { Name = $"s{round}" });
            var ep = c.Connect(winner.Id, $"s{round}");
            Assert.True(w.Ping($"s{round}", winner.Subnets[0].Gateway.ToString()), $"round {round}: {ep.IPv4}");
            c.DeleteSandbox($"s{round}");
            c.DeleteNetwork(winner.Id);
            Assert.Null(w.Net.Host.FindLink(bridge));
        }
    }

    /// <summary>
    /// Issue 11: on restore an unrelated interface renamed to a network's bridge name (an uplink) was taken
    /// over, given the gateway address, and later deleted with the network.
    /// </summary>
    [PrivilegedFact]
    public void On_restore_an_uplink_carrying_the_bridges_name_is_neither_taken_over_nor_deleted()
    {
        using var w = new EngineWorld();
        var net = w.Controller.CreateNetwork(Bridge("web", "172.36.0.0/24", "brweb"));
        w.Controller.Dispose();
        w.Net.Host.DeleteLink("brweb");
        int uplink = w.Net.Host.UpLink("brweb"); // a veth with carrier, as an uplink has
        w.Net.Host.AddAddress(uplink, IPPrefix.Parse("192.0.2.10/24"));

        var c = w.Restart();
        Assert.Contains(w.LastRestoreLog, l => l.Contains("brweb", StringComparison.Ordinal) && l.Contains("not the bridge Plexus made", StringComparison.Ordinal));
        Assert.Equal(["192.0.2.10/24"], w.Net.Host.ListAddresses(uplink).Where(a => a.Prefix.IsIPv4).Select(a => a.Prefix.ToString()));
        c.CreateSandbox(new SandboxCreateRequest { Name = "s1" });
        var refused = Assert.Throws<PlexusException>(() => c.Connect("web", "s1"));
        Assert.Contains("brweb", refused.Message, StringComparison.Ordinal);
        Assert.Null(w.Net.Host.ListLinks().Find(l => l.MasterIndex == uplink));
        c.DeleteNetwork(net.Id);
        Assert.NotNull(w.Net.Host.FindLink("brweb"));
        w.Net.Host.DeleteLink("brweb");
    }

    /// <summary>A bridge of Plexus's naming that carries no Plexus mark is someone else's: garbage collection leaves it.</summary>
    [PrivilegedFact]
    public void Garbage_collection_removes_marked_bridges_of_no_network_and_leaves_unmarked_ones()
    {
        using var w = new EngineWorld();
        w.Controller.Dispose();
        w.Net.Host.CreateLink(new BridgeSpec("plx-notours0000"));
        w.Net.Host.CreateLink(new BridgeSpec("plx-ours0000000"));
        w.Net.Host.SetLink(w.Net.Host.GetLink("plx-ours0000000").Index, new Kernel.Rtnl.LinkChanges { Alias = "plexus:" + Ids.New() });

        w.Restart();
        Assert.NotNull(w.Net.Host.FindLink("plx-notours0000"));
        Assert.Null(w.Net.Host.FindLink("plx-ours0000000"));
        w.Net.Host.DeleteLink("plx-notours0000");
    }
}
