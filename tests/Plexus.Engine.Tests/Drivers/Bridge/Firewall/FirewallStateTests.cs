using System.Net;
using Plexus.Engine.Drivers.Bridge.Firewall;
using Plexus.Kernel.Firewall;
using static Plexus.Engine.Tests.Drivers.Bridge.Firewall.FirewallScenarios;

namespace Plexus.Engine.Tests.Drivers.Bridge.Firewall;

public sealed class FirewallStateTests
{
    [Fact]
    public void Removing_a_network_removes_its_ports_and_links_and_nothing_else()
    {
        var change = FirewallChange.Apply(All["two-networks"], [new FirewallOperation.RemoveNetwork(Net2)]);
        Assert.Equal([Net1], change.After.Networks.Keys);
        Assert.Equal(["ep-c"], change.PortsRemoved.Select(p => p.Tag));
        Assert.Single(change.After.Ports);
        Assert.Equal([Net2], change.NetworksRemoved.Select(n => n.Tag));
        Assert.Empty(change.NetworksAdded);
    }

    [Fact]
    public void Operations_that_cancel_out_change_nothing()
    {
        var port = Port("ep-x", "9999", "172.18.0.9", 80);
        var change = FirewallChange.Apply(All["icc-on"], [new FirewallOperation.AddPorts([port]), new FirewallOperation.RemoveEndpointPorts("ep-x")]);
        Assert.True(change.IsEmpty);
        var again = FirewallChange.Apply(All["icc-on"], [new FirewallOperation.AddNetwork(Network())]);
        Assert.True(again.IsEmpty);
    }

    [Fact]
    public void A_taken_host_port_is_refused_with_its_owner()
    {
        var e = Assert.Throws<FirewallException>(() => FirewallChange.Apply(All["ports"], [new FirewallOperation.AddPorts([Port("ep-z", "8080", "172.18.0.9", 80)])]));
        Assert.Equal("host port 8080/tcp is already published by ep-a", e.Message);
        // The same number on another protocol, family or host address is a different binding.
        FirewallChange.Apply(All["ports"], [new FirewallOperation.AddPorts([Port("ep-z", "8080", "172.18.0.9", 80, TransportProtocol.Udp), Port("ep-z", "10.0.0.2:8080", "172.18.0.9", 80)])]);
        var v6 = Assert.Throws<FirewallException>(() => FirewallChange.Apply(All["ports"], [new FirewallOperation.AddPorts([Port("ep-z", "[2001:db8::1]:8443", "fd00:18::9", 80)])]));
        Assert.Equal("host port [2001:db8::1]:8443/tcp is already published by ep-a", v6.Message);
    }

    [Fact]
    public void Ports_and_links_need_their_network_and_its_subnet()
    {
        Assert.Throws<FirewallException>(() => FirewallChange.Apply(FirewallState.Empty, [new FirewallOperation.AddPorts([Port("ep", "80", "172.18.0.2", 80)])]));
        var e = Assert.Throws<FirewallException>(() => FirewallChange.Apply(All["icc-on"], [new FirewallOperation.AddPorts([Port("ep", "80", "10.9.0.2", 80)])]));
        Assert.Contains("not in network", e.Message, StringComparison.Ordinal);
        Assert.Throws<FirewallException>(() => FirewallChange.Apply(All["icc-on"], [new FirewallOperation.AddLinks([Link("l", "172.18.0.2", "172.18.0.3", 80, network: "nope")])]));
    }

    [Fact]
    public void Two_networks_cannot_share_a_bridge()
    {
        var e = Assert.Throws<FirewallException>(() => FirewallChange.Apply(All["icc-on"], [new FirewallOperation.AddNetwork(Network("other", "plx-n1"))]));
        Assert.Contains("already belongs to network", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("quote\"")]
    [InlineData("")]
    public void Tags_that_cannot_sit_in_a_rule_are_refused(string tag)
    {
        Assert.Throws<ArgumentException>(() => new BridgeRules(tag, "plx-a", [V4]));
    }

    [Theory]
    [InlineData("br+")]
    [InlineData("br\"x")]
    [InlineData("abcdefghijklmnop")]
    public void Bridge_names_that_cannot_sit_in_a_rule_are_refused(string name)
    {
        Assert.Throws<ArgumentException>(() => new BridgeRules("n", name, [V4]));
    }

    [Fact]
    public void Port_mappings_keep_families_apart_and_read_like_docker()
    {
        Assert.Throws<ArgumentException>(() => new PortMapping("e", "n", TransportProtocol.Tcp, IPAddress.Parse("10.0.0.1"), 80, IPAddress.Parse("fd00::2"), 80));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PortMapping("e", "n", TransportProtocol.Tcp, null, 0, IPAddress.Parse("10.0.0.2"), 80));
        Assert.Null(new PortMapping("e", "n", TransportProtocol.Tcp, IPAddress.Any, 80, IPAddress.Parse("10.0.0.2"), 80).HostIP);
        Assert.Equal("[::1]:8080:[fd00::2]:80/udp", new PortMapping("e", "n", TransportProtocol.Udp, IPAddress.IPv6Loopback, 8080, IPAddress.Parse("fd00::2"), 80).ToString());
        Assert.Equal("8080:172.18.0.2:80/sctp", new PortMapping("e", "n", TransportProtocol.Sctp, null, 8080, IPAddress.Parse("172.18.0.2"), 80).ToString());
    }

    [Fact]
    public void A_committed_transaction_cannot_be_committed_again_and_no_firewall_keeps_the_state()
    {
        using var firewall = new NoFirewall<FirewallState, FirewallChange>(BridgeFirewallPolicy.Instance);
        var tx = firewall.Begin().AddNetwork(Network());
        tx.Commit();
        Assert.Throws<InvalidOperationException>(tx.Commit);
        Assert.Single(firewall.State.Networks);
        firewall.Begin().RemoveNetwork(Net1).Commit();
        Assert.True(firewall.State.IsEmpty);
    }

    [Fact]
    public void Bridge_ports_need_their_network_addresses_inside_it_and_their_own_mac_and_addresses()
    {
        var state = All["icc-off-links"]; // ep-web 172.18.0.2, ep-app 172.18.0.3
        Assert.Throws<FirewallException>(() => FirewallChange.Apply(FirewallState.Empty, [new FirewallOperation.AddBridgePort(EndpointPort("ep-x", "172.18.0.9"))]));
        var outside = Assert.Throws<FirewallException>(() => FirewallChange.Apply(state, [new FirewallOperation.AddBridgePort(EndpointPort("ep-x", "10.9.0.2"))]));
        Assert.Contains("not in network", outside.Message, StringComparison.Ordinal);
        var address = new BridgePort("ep-x", Net1, "vpx-x", Plexus.Kernel.Types.MacAddress.Parse("02:00:00:00:00:09"), IPAddress.Parse("172.18.0.2"), null);
        Assert.Contains("already the one of port vpx-web", Assert.Throws<FirewallException>(() => FirewallChange.Apply(state, [new FirewallOperation.AddBridgePort(address)])).Message, StringComparison.Ordinal);
        var mac = new BridgePort("ep-x", Net1, "vpx-x", Plexus.Kernel.Types.MacAddress.FromIPv4(IPAddress.Parse("172.18.0.2")), IPAddress.Parse("172.18.0.9"), null);
        Assert.Contains("MAC address", Assert.Throws<FirewallException>(() => FirewallChange.Apply(state, [new FirewallOperation.AddBridgePort(mac)])).Message, StringComparison.Ordinal);
        var name = new BridgePort("ep-x", Net1, "vpx-web", Plexus.Kernel.Types.MacAddress.Parse("02:00:00:00:00:09"), IPAddress.Parse("172.18.0.9"), null);
        Assert.Contains("already belongs to endpoint ep-web", Assert.Throws<FirewallException>(() => FirewallChange.Apply(state, [new FirewallOperation.AddBridgePort(name)])).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new BridgePort("ep-x", Net1, "vpx-x", Plexus.Kernel.Types.MacAddress.Parse("01:00:5e:00:00:01"), null, null));
    }

    [Fact]
    public void An_endpoint_joining_again_with_a_new_address_replaces_its_port_and_removing_the_network_removes_it()
    {
        var state = All["icc-off-links"];
        var moved = FirewallChange.Apply(state, [new FirewallOperation.AddBridgePort(EndpointPort("ep-web", "172.18.0.2") with { })]);
        Assert.True(moved.IsEmpty);
        var renumbered = new BridgePort("ep-web", Net1, "vpx-web", Plexus.Kernel.Types.MacAddress.FromIPv4(IPAddress.Parse("172.18.0.2")), IPAddress.Parse("172.18.0.7"), null);
        var change = FirewallChange.Apply(state, [new FirewallOperation.AddBridgePort(renumbered)]);
        Assert.Equal(IPAddress.Parse("172.18.0.7"), change.After.BridgePorts["vpx-web"].IPv4);
        Assert.Single(change.BridgePortsRemoved);
        Assert.Single(change.BridgePortsAdded);
        Assert.Empty(FirewallChange.Apply(state, [new FirewallOperation.RemoveNetwork(Net1)]).After.BridgePorts);
    }

    [Fact]
    public void An_endpoints_bridge_port_goes_by_its_name_and_a_name_that_is_not_the_endpoints_falls_back_to_its_tag()
    {
        var state = All["icc-off-links"]; // ep-web on vpx-web, ep-app on vpx-app
        var named = FirewallChange.Apply(state, [new FirewallOperation.RemoveBridgePorts("ep-web", "vpx-web")]);
        Assert.Equal(["vpx-web"], named.BridgePortsRemoved.Select(p => p.PortName));
        // Another endpoint's port is never removed by name; the endpoint's own is found by its tag.
        var wrong = FirewallChange.Apply(state, [new FirewallOperation.RemoveBridgePorts("ep-web", "vpx-app")]);
        Assert.Equal(["vpx-web"], wrong.BridgePortsRemoved.Select(p => p.PortName));
        Assert.True(wrong.After.BridgePorts.ContainsKey("vpx-app"));
        Assert.True(FirewallChange.Apply(state, [new FirewallOperation.RemoveBridgePorts("ep-none", "vpx-none")]).IsEmpty);
    }

    [Fact]
    public void The_link_local_address_is_the_modified_eui64_of_the_mac()
    {
        Assert.Equal(IPAddress.Parse("fe80::42:acff:fe12:2"), BridgePort.LinkLocalOf(Plexus.Kernel.Types.MacAddress.Parse("02:42:ac:12:00:02")));
    }
}
