using Plexus.Engine.Drivers.Bridge.Firewall;
using Plexus.Kernel.Firewall;
using static Plexus.Engine.Tests.Drivers.Bridge.Firewall.FirewallScenarios;

namespace Plexus.Engine.Tests.Drivers.Bridge.Firewall;

/// <summary>
/// The state's index of published ports by endpoint, which a leave removes its ports through: it must always be
/// exactly the ports grouped by their endpoint's tag, whatever added or removed them, and a failed transaction must
/// leave it as it was.
/// </summary>
public sealed class PortIndexTests
{
    [Fact]
    public void Removing_one_endpoints_ports_removes_exactly_those_and_leaves_the_others()
    {
        var state = All["ports"]; // ep-a: five mappings, ep-b: one
        var change = FirewallChange.Apply(state, [new FirewallOperation.RemoveEndpointPorts("ep-a")]);
        Assert.Equal(5, change.PortsRemoved.Count);
        Assert.All(change.PortsRemoved, p => Assert.Equal("ep-a", p.Tag));
        Assert.Empty(change.After.PortsOf("ep-a"));
        Assert.Equal(state.PortsOf("ep-b"), change.After.PortsOf("ep-b"));
        Assert.Equal(["ep-b"], change.After.Ports.Select(p => p.Tag));
        AssertIndexExact(change.After);
        // The state before is untouched: it is a value.
        Assert.Equal(5, state.PortsOf("ep-a").Count);
        AssertIndexExact(state);
        Assert.True(FirewallChange.Apply(state, [new FirewallOperation.RemoveEndpointPorts("ep-none")]).IsEmpty);
    }

    [Fact]
    public void A_state_rebuilt_from_its_parts_has_its_index()
    {
        foreach (var state in All.Values) AssertIndexExact(state);
        var rebuilt = FirewallState.Create(All["ports"].Networks.Values, All["ports"].Ports, []);
        Assert.Equal(5, rebuilt.PortsOf("ep-a").Count);
        Assert.Single(rebuilt.PortsOf("ep-b"));
        AssertIndexExact(rebuilt);
    }

    [Fact]
    public void Ports_replaced_in_one_transaction_and_ports_of_a_removed_network_leave_the_index_exact()
    {
        var state = All["two-networks"]; // ep-a on n1 (8080), ep-c on n2 (8081)
        // An update: the endpoint's old mappings out, new ones in, one of them the same as before.
        var update = FirewallChange.Apply(state, [
            new FirewallOperation.RemoveEndpointPorts("ep-a"),
            new FirewallOperation.AddPorts([Port("ep-a", "8080", "172.18.0.2", 80), Port("ep-a", "9090", "172.18.0.2", 90)]),
        ]);
        Assert.Equal(2, update.After.PortsOf("ep-a").Count);
        Assert.Equal([9090], update.PortsAdded.Select(p => p.HostPort));
        Assert.Empty(update.PortsRemoved);
        AssertIndexExact(update.After);
        // Added and removed in the same transaction: nothing left, not even an empty entry.
        var cancelled = FirewallChange.Apply(state, [
            new FirewallOperation.AddPorts([Port("ep-x", "7000", "172.18.0.9", 70)]),
            new FirewallOperation.RemovePorts([Port("ep-x", "7000", "172.18.0.9", 70)]),
        ]);
        Assert.True(cancelled.IsEmpty);
        Assert.Empty(cancelled.After.PortsOf("ep-x"));
        AssertIndexExact(cancelled.After);
        // Removing a network removes its endpoints' ports from the index as well.
        var gone = FirewallChange.Apply(state, [new FirewallOperation.RemoveNetwork(Net2)]);
        Assert.Empty(gone.After.PortsOf("ep-c"));
        Assert.Single(gone.After.PortsOf("ep-a"));
        AssertIndexExact(gone.After);
    }

    [Fact]
    public void A_failed_transaction_leaves_the_index_as_it_was()
    {
        using var firewall = new NoFirewall<FirewallState, FirewallChange>(BridgeFirewallPolicy.Instance);
        firewall.Begin().AddNetwork(Network()).AddPorts(Port("ep-a", "8080", "172.18.0.2", 80), Port("ep-a", "8081", "172.18.0.2", 81))
            .AddPorts(Port("ep-b", "9000", "172.18.0.3", 90)).Commit();
        // ep-a's ports go, then ep-c takes a binding ep-b holds: the whole transaction is refused.
        var e = Assert.Throws<FirewallException>(() => firewall.Begin().RemovePorts("ep-a").AddPorts(Port("ep-c", "9000", "172.18.0.4", 90)).Commit());
        Assert.Contains("already published by ep-b", e.Message, StringComparison.Ordinal);
        Assert.Equal(2, firewall.State.PortsOf("ep-a").Count);
        Assert.Empty(firewall.State.PortsOf("ep-c"));
        AssertIndexExact(firewall.State);
        firewall.Begin().RemovePorts("ep-a").Commit();
        Assert.Equal(["ep-b"], firewall.State.Ports.Select(p => p.Tag));
        AssertIndexExact(firewall.State);
    }

    [Fact]
    public void The_index_stays_exact_through_many_random_transactions()
    {
        var random = new Random(13);
        using var firewall = new NoFirewall<FirewallState, FirewallChange>(BridgeFirewallPolicy.Instance);
        firewall.Begin().AddNetwork(Network()).Commit();
        for (int round = 0; round < 300; round++)
        {
            var tx = firewall.Begin();
            for (int step = random.Next(1, 4); step > 0; step--)
            {
                int endpoint = random.Next(8);
                string tag = $"ep-{endpoint}";
                switch (random.Next(4))
                {
                    case 0:
                    case 1:
                        // Host ports from a small range, so bindings collide and some transactions fail.
                        tx.AddPorts(Enumerable.Range(0, random.Next(1, 4)).Select(_ =>
                            Port(tag, $"{8000 + random.Next(40)}", $"172.18.0.{10 + endpoint}", 80)).DistinctBy(p => p.HostPort));
                        break;
                    case 2:
                        tx.RemovePorts(tag);
                        break;
                    default:
                        tx.RemovePorts(firewall.State.PortsOf(tag).Take(1));
                        break;
                }
            }
            var before = firewall.State;
            try
            {
                tx.Commit();
            }
            catch (FirewallException)
            {
                Assert.Same(before, firewall.State);
            }
            AssertIndexExact(firewall.State);
        }
        Assert.NotEmpty(firewall.State.Ports);
    }

    /// <summary>The index is exactly the ports grouped by endpoint, with no endpoint that has none.</summary>
    private static void AssertIndexExact(FirewallState state)
    {
        var expected = state.Ports.GroupBy(p => p.Tag).ToDictionary(g => g.Key, g => g.ToHashSet(), StringComparer.Ordinal);
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), state.PortsByTag.Keys.Order(StringComparer.Ordinal));
        foreach (var (tag, ports) in expected)
        {
            Assert.True(ports.SetEquals(state.PortsByTag[tag]), $"the index's ports of {tag} are not the state's");
            Assert.True(ports.SetEquals(state.PortsOf(tag)));
        }
    }
}
