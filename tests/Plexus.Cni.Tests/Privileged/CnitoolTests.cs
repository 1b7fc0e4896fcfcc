using System.Text.Json;
using Plexus.Cni;
using Plexus.Daemon.Tests;
using Plexus.Testing;

namespace Plexus.Cni.Tests.Privileged;

/// <summary>
/// cnitool, the CNI project's reference runtime, driving the plugin against a real plexusd: containers on a Plexus
/// network reach each other, the outside world (masquerade) and are reached through published ports (also by
/// hairpin); CHECK and DEL (twice) behave as the spec says, and DEL leaves nothing behind.
/// </summary>
[Trait("Category", "Privileged")]
public sealed class CnitoolTests(CniWorld world) : IClassFixture<CniWorld>
{
    private static string AddressOf(JsonElement result) => result.GetProperty("ips")[0].GetProperty("address").GetString()!.Split('/')[0];

    private static JsonElement Added((int ExitCode, string Output) run)
    {
        Assert.True(run.ExitCode == 0, run.Output);
        return JsonDocument.Parse(run.Output).RootElement.Clone();
    }

    [PrivilegedFact]
    public void Two_containers_reach_each_other_and_the_outside_and_DEL_twice_leaves_nothing()
    {
        world.WriteConflist("web", """
            "bridge": "cniweb0", "isGateway": true, "ipMasq": true,
            "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.77.0.0/24", "rangeStart": "10.77.0.10", "rangeEnd": "10.77.0.50"}]], "routes": [{"dst": "0.0.0.0/0"}]}
            """);
        var ns1 = world.Container("web1");
        var ns2 = world.Container("web2");
        var first = Added(world.Cnitool_("add", "web", ns1, """{"portMappings": [{"hostPort": 8080, "containerPort": 80, "protocol": "tcp"}]}"""));
        var second = Added(world.Cnitool_("add", "web", ns2));

        // The result: bridge, host end, the container's eth0 in its sandbox, an address of the range with its gateway.
        var interfaces = first.GetProperty("interfaces");
        Assert.Equal("cniweb0", interfaces[0].GetProperty("name").GetString());
        Assert.Equal(("eth0", ns1), (interfaces[2].GetProperty("name").GetString(), interfaces[2].GetProperty("sandbox").GetString()));
        var ip1 = AddressOf(first);
        var ip2 = AddressOf(second);
        Assert.StartsWith("10.77.0.", ip1, StringComparison.Ordinal);
        Assert.InRange(int.Parse(ip1.Split('.')[3], System.Globalization.CultureInfo.InvariantCulture), 10, 50);
        Assert.Equal("10.77.0.1", first.GetProperty("ips")[0].GetProperty("gateway").GetString());
        Assert.Contains(interfaces[2].GetProperty("mac").GetString()!, world.In("web1", "ip", "link", "show", "eth0").Output, StringComparison.OrdinalIgnoreCase);
        // The bridge with its MAC as the kernel has it; the container's MTU only in a 1.1.0 result (this one is 1.0.0).
        Assert.Contains(interfaces[0].GetProperty("mac").GetString()!, world.In("host", "ip", "link", "show", "cniweb0").Output, StringComparison.OrdinalIgnoreCase);
        Assert.False(interfaces[2].TryGetProperty("mtu", out _));

        var ping = world.In("web1", "busybox", "ping", "-c", "1", "-W", "5", ip2);
        Assert.True(ping.ExitCode == 0, ping.Output);
        var outside = world.In("web2", "busybox", "ping", "-c", "1", "-W", "5", CniWorld.OutsideAddress);
        Assert.True(outside.ExitCode == 0, $"masquerade to the outside world: {outside.Output}");

        // The published port, from outside and by hairpin from the container itself.
        world.Serve("web1");
        var fromOutside = world.Curl("outside", $"http://{CniWorld.HostAddress}:8080/");
        Assert.True(fromOutside.ExitCode == 0 && fromOutside.Output.Contains("hello from web1", StringComparison.Ordinal), fromOutside.Output);
        var hairpin = world.Curl("web1", $"http://{CniWorld.HostAddress}:8080/");
        Assert.True(hairpin.ExitCode == 0 && hairpin.Output.Contains("hello from web1", StringComparison.Ordinal), $"hairpin: {hairpin.Output}");

        // plexus ps shows the containers by their container id.
        var containers = world.Daemon.Client.ListContainersAsync(false, new Dictionary<string, List<string>>(), CancellationToken.None).GetAwaiter().GetResult();
        Assert.Contains(containers, c => c.Names!.Contains("/" + CniWorld.ContainerIdOf(ns1)));

        var check = world.Cnitool_("check", "web", ns1);
        Assert.True(check.ExitCode == 0, check.Output);

        var vethOf1 = interfaces[1].GetProperty("name").GetString()!;
        Assert.Equal(0, world.Cnitool_("del", "web", ns1).ExitCode);
        var again = world.Cnitool_("del", "web", ns1);
        Assert.True(again.ExitCode == 0, $"a second DEL succeeds: {again.Output}");
        Assert.DoesNotContain("eth0", world.In("web1", "ip", "-o", "link").Output, StringComparison.Ordinal);
        Assert.DoesNotContain(vethOf1, world.Daemon.HostLinks());
        var rules = world.Ruleset();
        Assert.DoesNotContain(ip1 + " ", rules, StringComparison.Ordinal);
        Assert.DoesNotContain("8080", rules, StringComparison.Ordinal);
        Assert.DoesNotContain(CniWorld.ContainerIdOf(ns1),
            world.Daemon.Client.ListContainersAsync(true, new Dictionary<string, List<string>>(), CancellationToken.None).GetAwaiter().GetResult().SelectMany(c => c.Names!));

        // The address went back: a new container can be given exactly it.
        var ns3 = world.Container("web3");
        var third = Added(world.Cnitool_("add", "web", ns3, $$"""{"ips": ["{{ip1}}/24"]}"""));
        Assert.Equal(ip1, AddressOf(third));
        Assert.Equal(0, world.Cnitool_("del", "web", ns3).ExitCode);
        Assert.Equal(0, world.Cnitool_("del", "web", ns2).ExitCode);
    }

    [PrivilegedFact]
    public void Containers_find_each_other_by_name_when_the_configuration_asks()
    {
        world.WriteConflist("named", """ "names": true, "ipam": {"ranges": [[{"subnet": "10.78.0.0/24"}]]}""", version: "0.4.0");
        var ns1 = world.Container("named1");
        var ns2 = world.Container("named2");
        var first = Added(world.Cnitool_("add", "named", ns1, """{"aliases": {"named": ["db"]}}"""));
        Assert.Equal("4", first.GetProperty("ips")[0].GetProperty("version").GetString()); // a 0.4.0 result
        Assert.Equal("127.0.0.11", first.GetProperty("dns").GetProperty("nameservers")[0].GetString());
        Added(world.Cnitool_("add", "named", ns2));
        var lookup = world.In("named2", "busybox", "nslookup", "db", "127.0.0.11");
        Assert.True(lookup.ExitCode == 0 && lookup.Output.Contains(AddressOf(first), StringComparison.Ordinal), lookup.Output);
        var byId = world.In("named2", "busybox", "nslookup", CniWorld.ContainerIdOf(ns1), "127.0.0.11");
        Assert.True(byId.ExitCode == 0 && byId.Output.Contains(AddressOf(first), StringComparison.Ordinal), byId.Output);
        Assert.Equal(0, world.Cnitool_("del", "named", ns1).ExitCode);
        Assert.Equal(0, world.Cnitool_("del", "named", ns2).ExitCode);
    }

    [PrivilegedFact]
    public void A_conflicting_redefinition_is_refused_with_code_7_naming_what_differs()
    {
        world.WriteConflist("clash", """ "ipam": {"ranges": [[{"subnet": "10.79.0.0/24"}]]}""");
        var ns1 = world.Container("clash1");
        Added(world.Cnitool_("add", "clash", ns1));
        world.WriteConflist("clash", """ "mtu": 1400, "ipam": {"ranges": [[{"subnet": "10.80.0.0/24"}]]}""");
        var ns2 = world.Container("clash2");
        var refused = world.Cnitool_("add", "clash", ns2);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("ranges[0].subnet is 10.79.0.0/24 there, 10.80.0.0/24 here", refused.Output, StringComparison.Ordinal);

        var config = """{"cniVersion": "1.0.0", "name": "clash", "type": "plexus", "socket": "unix://SOCKET", "ipam": {"ranges": [[{"subnet": "10.80.0.0/24"}]]}}""".Replace("SOCKET", world.Daemon.Socket, StringComparison.Ordinal);
        var (exit, error) = world.RunPlugin(new() { ["CNI_COMMAND"] = "ADD", ["CNI_CONTAINERID"] = "clash2", ["CNI_NETNS"] = ns2, ["CNI_IFNAME"] = "eth0" }, config);
        Assert.Equal((1, CniError.InvalidConfig), (exit, error.GetProperty("code").GetInt32()));
        Assert.Contains("network clash is already defined differently in plexusd", error.GetProperty("msg").GetString(), StringComparison.Ordinal);
        // Nothing half-made: no sandbox for the refused container, no interface in its namespace.
        Assert.DoesNotContain("eth0", world.In("clash2", "ip", "-o", "link").Output, StringComparison.Ordinal);
        var status = world.RunPlugin(new() { ["CNI_COMMAND"] = "STATUS" }, config.Replace("1.0.0", "1.1.0", StringComparison.Ordinal));
        Assert.Equal((1, CniError.NotAvailable), (status.ExitCode, status.Output.GetProperty("code").GetInt32()));

        world.WriteConflist("clash", """ "ipam": {"ranges": [[{"subnet": "10.79.0.0/24"}]]}""");
        Assert.Equal(0, world.Cnitool_("del", "clash", ns1).ExitCode);
    }

    [PrivilegedFact]
    public void GC_removes_the_attachments_the_runtime_no_longer_knows_and_STATUS_says_ready()
    {
        var ns1 = world.Container("gc1");
        var ns2 = world.Container("gc2");
        string config = """{"cniVersion": "1.1.0", "name": "gcnet", "type": "plexus", "socket": "unix://SOCKET", "ipam": {"ranges": [[{"subnet": "10.81.0.0/24"}]]} EXTRA}"""
            .Replace("SOCKET", world.Daemon.Socket, StringComparison.Ordinal);
        var add = config.Replace(" EXTRA", "", StringComparison.Ordinal);
        Assert.Equal(0, world.RunPlugin(new() { ["CNI_COMMAND"] = "STATUS" }, add).ExitCode);
        foreach (var (id, ns) in new[] { ("gc-keep", ns1), ("gc-lost", ns2) })
        {
            var added = world.RunPlugin(new() { ["CNI_COMMAND"] = "ADD", ["CNI_CONTAINERID"] = id, ["CNI_NETNS"] = ns, ["CNI_IFNAME"] = "net0" }, add);
            Assert.Equal(0, added.ExitCode);
            // A 1.1.0 result (cnitool's libcni reads none) carries the container's MTU.
            Assert.Equal(1500, added.Output.GetProperty("interfaces")[2].GetProperty("mtu").GetInt32());
        }
        Assert.Contains("net0", world.In("gc2", "ip", "-o", "link").Output, StringComparison.Ordinal);

        var gc = world.RunPlugin(new() { ["CNI_COMMAND"] = "GC" },
            config.Replace(" EXTRA", """, "cni.dev/valid-attachments": [{"containerID": "gc-keep", "ifname": "net0"}]""", StringComparison.Ordinal));
        Assert.Equal(0, gc.ExitCode);
        Assert.DoesNotContain("net0", world.In("gc2", "ip", "-o", "link").Output, StringComparison.Ordinal);
        Assert.Contains("net0", world.In("gc1", "ip", "-o", "link").Output, StringComparison.Ordinal);

        // CHECK of the one collected: unknown to plexusd (3); DEL of it: success, it is gone already.
        var check = world.RunPlugin(new() { ["CNI_COMMAND"] = "CHECK", ["CNI_CONTAINERID"] = "gc-lost", ["CNI_NETNS"] = ns2, ["CNI_IFNAME"] = "net0" }, add);
        Assert.Equal((1, CniError.UnknownContainer), (check.ExitCode, check.Output.GetProperty("code").GetInt32()));
        Assert.Equal(0, world.RunPlugin(new() { ["CNI_COMMAND"] = "DEL", ["CNI_CONTAINERID"] = "gc-lost", ["CNI_IFNAME"] = "net0" }, add).ExitCode);
        Assert.Equal(0, world.RunPlugin(new() { ["CNI_COMMAND"] = "DEL", ["CNI_CONTAINERID"] = "gc-keep", ["CNI_IFNAME"] = "net0" }, add).ExitCode);
    }

    [PrivilegedFact]
    public void A_path_that_is_no_network_namespace_is_code_7_and_makes_nothing()
    {
        var notNs = Path.Combine(world.Dir, "not-a-namespace");
        File.WriteAllText(notNs, "");
        var config = """{"cniVersion": "1.0.0", "name": "badns", "type": "plexus", "socket": "unix://SOCKET", "ipam": {"ranges": [[{"subnet": "10.83.0.0/24"}]]}}"""
            .Replace("SOCKET", world.Daemon.Socket, StringComparison.Ordinal);
        var (exit, error) = world.RunPlugin(new() { ["CNI_COMMAND"] = "ADD", ["CNI_CONTAINERID"] = "badns1", ["CNI_NETNS"] = notNs, ["CNI_IFNAME"] = "eth0" }, config);
        Assert.Equal((1, CniError.InvalidConfig), (exit, error.GetProperty("code").GetInt32()));
        Assert.Contains(notNs, error.GetProperty("msg").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(world.Daemon.Client.ListContainersAsync(true, new Dictionary<string, List<string>>(), CancellationToken.None).GetAwaiter().GetResult(),
            c => c.Names!.Contains("/badns1"));
    }

    [PrivilegedFact]
    public void An_attachment_outlives_a_plexusd_restart_and_CHECK_and_DEL_still_work()
    {
        world.WriteConflist("kept", """ "ipMasq": true, "isDefaultGateway": true, "ipam": {"ranges": [[{"subnet": "10.84.0.0/24"}]]}""");
        var ns = world.Container("kept1");
        var added = Added(world.Cnitool_("add", "kept", ns));
        world.Daemon.Stop();
        world.Daemon.Start();
        var check = world.Cnitool_("check", "kept", ns);
        Assert.True(check.ExitCode == 0, $"CHECK after a restart: {check.Output}");
        var outside = world.In("kept1", "busybox", "ping", "-c", "1", "-W", "5", CniWorld.OutsideAddress);
        Assert.True(outside.ExitCode == 0, $"still reaches the outside world: {outside.Output}");
        Assert.Equal(0, world.Cnitool_("del", "kept", ns).ExitCode);
        Assert.DoesNotContain(added.GetProperty("interfaces")[1].GetProperty("name").GetString()!, world.Daemon.HostLinks());
    }

    /// <summary>The bridge plugin's hairpinMode and promiscMode as the kernel shows them, and host-local's routes in the result and the container.</summary>
    [PrivilegedFact]
    public void HairpinMode_promiscMode_and_every_ipam_route_are_applied()
    {
        world.WriteConflist("flags", """
            "bridge": "cniflags0", "isGateway": true, "hairpinMode": true, "promiscMode": true,
            "ipam": {"ranges": [[{"subnet": "10.85.0.0/24"}]], "routes": [{"dst": "10.200.0.0/16"}, {"dst": "198.51.100.0/24", "gw": "10.85.0.254"}]}
            """);
        var ns = world.Container("flags1");
        var added = Added(world.Cnitool_("add", "flags", ns));
        var veth = added.GetProperty("interfaces")[1].GetProperty("name").GetString()!;
        // Hairpin on a port with no published port (a join with ports sets it anyway); the bridge takes every frame.
        var port = world.In("host", "ip", "-d", "link", "show", veth);
        Assert.True(port.Output.Contains("hairpin on", StringComparison.Ordinal), port.Output);
        var bridge = world.In("host", "ip", "link", "show", "cniflags0");
        Assert.True(bridge.Output.Contains("PROMISC", StringComparison.Ordinal), bridge.Output);

        // Every route, in the result and in the container; a route without gw goes via the range's gateway; no default route was asked for.
        var routes = added.GetProperty("routes").EnumerateArray().Select(r => $"{r.GetProperty("dst").GetString()} via {r.GetProperty("gw").GetString()}").ToList();
        Assert.Equal(["10.200.0.0/16 via 10.85.0.1", "198.51.100.0/24 via 10.85.0.254"], routes);
        var table = world.In("flags1", "ip", "route").Output;
        Assert.Contains("10.200.0.0/16 via 10.85.0.1 dev eth0", table, StringComparison.Ordinal);
        Assert.Contains("198.51.100.0/24 via 10.85.0.254 dev eth0", table, StringComparison.Ordinal);
        Assert.DoesNotContain("default", table, StringComparison.Ordinal);
        var check = world.Cnitool_("check", "flags", ns);
        Assert.True(check.ExitCode == 0, check.Output);
        // CHECK sees a route gone, and names it.
        Assert.Equal(0, world.In("flags1", "ip", "route", "del", "198.51.100.0/24").ExitCode);
        var broken = world.Cnitool_("check", "flags", ns);
        Assert.True(broken.ExitCode != 0 && broken.Output.Contains("route to 198.51.100.0/24 via 10.85.0.254 is missing", StringComparison.Ordinal), broken.Output);
        Assert.Equal(0, world.Cnitool_("del", "flags", ns).ExitCode);
    }

    /// <summary>isGateway false (the bridge plugin's default): no address on the bridge, routes from ipam via the range's gateway, and the containers still reach each other.</summary>
    [PrivilegedFact]
    public void Without_isGateway_the_bridge_holds_no_address_and_the_routes_come_from_ipam()
    {
        world.WriteConflist("nogw", """ "bridge": "cninogw0", "ipam": {"ranges": [[{"subnet": "10.86.0.0/24"}]], "routes": [{"dst": "0.0.0.0/0"}]}""");
        var ns1 = world.Container("nogw1");
        var ns2 = world.Container("nogw2");
        var first = Added(world.Cnitool_("add", "nogw", ns1));
        var second = Added(world.Cnitool_("add", "nogw", ns2));
        var addresses = world.In("host", "ip", "-o", "addr", "show", "dev", "cninogw0");
        Assert.True(addresses.ExitCode == 0 && !addresses.Output.Contains("inet ", StringComparison.Ordinal), addresses.Output);
        Assert.Equal("10.86.0.1", first.GetProperty("ips")[0].GetProperty("gateway").GetString());
        Assert.Contains("default via 10.86.0.1 dev eth0", world.In("nogw1", "ip", "route").Output, StringComparison.Ordinal);
        var ping = world.In("nogw1", "busybox", "ping", "-c", "1", "-W", "5", AddressOf(second));
        Assert.True(ping.ExitCode == 0, ping.Output);
        // The bridge without isGateway is no router: the host cannot reach the containers through it.
        Assert.NotEqual(0, world.In("host", "busybox", "ping", "-c", "1", "-W", "1", AddressOf(first)).ExitCode);
        Assert.Equal(0, world.Cnitool_("del", "nogw", ns1).ExitCode);
        Assert.Equal(0, world.Cnitool_("del", "nogw", ns2).ExitCode);
    }

    /// <summary>Two range sets, one IPv4 and one IPv6: one address of each, default routes of both families, and ping6 between two containers.</summary>
    [PrivilegedFact]
    public void A_dual_stack_ADD_gives_an_address_and_default_route_of_each_family_and_containers_ping6_each_other()
    {
        world.WriteConflist("dual", """
            "bridge": "cnidual0", "isDefaultGateway": true,
            "ipam": {"ranges": [[{"subnet": "10.87.0.0/24"}], [{"subnet": "fd00:87::/64"}]]}
            """);
        var ns1 = world.Container("dual1");
        var ns2 = world.Container("dual2");
        var first = Added(world.Cnitool_("add", "dual", ns1));
        var second = Added(world.Cnitool_("add", "dual", ns2));
        var ips = first.GetProperty("ips").EnumerateArray().Select(i => (Address: i.GetProperty("address").GetString()!, Gateway: i.GetProperty("gateway").GetString())).ToList();
        Assert.Equal(2, ips.Count);
        Assert.StartsWith("10.87.0.", ips[0].Address, StringComparison.Ordinal);
        Assert.Equal("10.87.0.1", ips[0].Gateway);
        Assert.StartsWith("fd00:87::", ips[1].Address, StringComparison.Ordinal);
        Assert.EndsWith("/64", ips[1].Address, StringComparison.Ordinal);
        Assert.Equal("fd00:87::1", ips[1].Gateway);
        var dsts = first.GetProperty("routes").EnumerateArray().Select(r => r.GetProperty("dst").GetString()).ToList();
        Assert.Contains("0.0.0.0/0", dsts);
        Assert.Contains("::/0", dsts);

        Assert.Contains(ips[1].Address, world.In("dual1", "ip", "-6", "addr", "show", "eth0").Output, StringComparison.Ordinal);
        Assert.Contains("default via fd00:87::1 dev eth0", world.In("dual1", "ip", "-6", "route").Output, StringComparison.Ordinal);
        Assert.Contains("fd00:87::1/64", world.In("host", "ip", "-6", "addr", "show", "dev", "cnidual0").Output, StringComparison.Ordinal);
        var other = second.GetProperty("ips")[1].GetProperty("address").GetString()!.Split('/')[0];
        (int ExitCode, string Output) ping = default;
        // A new IPv6 address may still be in duplicate address detection: a few tries.
        for (int i = 0; i < 5 && (ping = world.In("dual1", "busybox", "ping", "-6", "-c", "1", "-W", "2", other)).ExitCode != 0; i++) Thread.Sleep(500);
        Assert.True(ping.ExitCode == 0, $"ping6 {other}: {ping.Output}");
        var gateway6 = world.In("dual2", "busybox", "ping", "-6", "-c", "1", "-W", "5", "fd00:87::1");
        Assert.True(gateway6.ExitCode == 0, $"ping6 the bridge's gateway: {gateway6.Output}");
        var check = world.Cnitool_("check", "dual", ns1);
        Assert.True(check.ExitCode == 0, check.Output);
        Assert.Equal(0, world.Cnitool_("del", "dual", ns1).ExitCode);
        Assert.Equal(0, world.Cnitool_("del", "dual", ns2).ExitCode);
        Assert.DoesNotContain("fd00:87::", world.In("dual1", "ip", "-6", "addr").Output, StringComparison.Ordinal);
    }

    /// <summary>
    /// A range set of several ranges, as host-local means it: one address, from the first range with one free; the
    /// gateway and default route of that range; containers of the two ranges reach each other and the outside. Two
    /// IPv4 range sets (two addresses of one family) are refused with code 2, making nothing.
    /// </summary>
    [PrivilegedFact]
    public void A_range_set_of_several_ranges_gives_one_address_from_the_first_range_with_one_free()
    {
        world.WriteConflist("multi", """
            "bridge": "cnimulti0", "isDefaultGateway": true, "ipMasq": true, "mtu": 1400,
            "ipam": {"ranges": [[{"subnet": "10.73.0.0/30"}, {"subnet": "10.73.1.0/24"}]]}
            """);
        var ns1 = world.Container("multi1");
        var ns2 = world.Container("multi2");
        var first = Added(world.Cnitool_("add", "multi", ns1));
        var second = Added(world.Cnitool_("add", "multi", ns2));
        // The /30 holds one address besides its gateway: the second container's comes from the next range, with that range's gateway.
        Assert.Equal(("10.73.0.2/30", "10.73.0.1"), (first.GetProperty("ips")[0].GetProperty("address").GetString(), first.GetProperty("ips")[0].GetProperty("gateway").GetString()));
        Assert.Equal("10.73.1.1", second.GetProperty("ips")[0].GetProperty("gateway").GetString());
        Assert.StartsWith("10.73.1.", AddressOf(second), StringComparison.Ordinal);
        Assert.Contains("default via 10.73.1.1 dev eth0", world.In("multi2", "ip", "route").Output, StringComparison.Ordinal);
        Assert.Contains("mtu 1400", world.In("multi2", "ip", "link", "show", "eth0").Output, StringComparison.Ordinal);

        var across = world.In("multi2", "busybox", "ping", "-c", "1", "-W", "5", AddressOf(first));
        Assert.True(across.ExitCode == 0, $"from one range to the other through the gateway: {across.Output}");
        var outside = world.In("multi2", "busybox", "ping", "-c", "1", "-W", "5", CniWorld.OutsideAddress);
        Assert.True(outside.ExitCode == 0, $"the second range is masqueraded too: {outside.Output}");
        var check = world.Cnitool_("check", "multi", ns2);
        Assert.True(check.ExitCode == 0, check.Output);

        // The first range's address went back: the next container takes it again.
        Assert.Equal(0, world.Cnitool_("del", "multi", ns1).ExitCode);
        var ns3 = world.Container("multi3");
        Assert.Equal("10.73.0.2", AddressOf(Added(world.Cnitool_("add", "multi", ns3))));
        Assert.Equal(0, world.Cnitool_("del", "multi", ns3).ExitCode);
        Assert.Equal(0, world.Cnitool_("del", "multi", ns2).ExitCode);

        var config = """{"cniVersion": "1.0.0", "name": "twosets", "type": "plexus", "socket": "unix://SOCKET", "ipam": {"ranges": [[{"subnet": "10.74.0.0/24"}], [{"subnet": "10.74.1.0/24"}]]}}"""
            .Replace("SOCKET", world.Daemon.Socket, StringComparison.Ordinal);
        var ns4 = world.Container("twosets1");
        var (exit, error) = world.RunPlugin(new() { ["CNI_COMMAND"] = "ADD", ["CNI_CONTAINERID"] = "twosets1", ["CNI_NETNS"] = ns4, ["CNI_IFNAME"] = "eth0" }, config);
        Assert.Equal((1, CniError.UnsupportedField), (exit, error.GetProperty("code").GetInt32()));
        Assert.Contains("ipam.ranges[0] and ipam.ranges[1] are both IPv4 range sets", error.GetProperty("msg").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("eth0", world.In("twosets1", "ip", "-o", "link").Output, StringComparison.Ordinal);
        Assert.DoesNotContain(world.Daemon.Client.ListNetworksAsync(new Dictionary<string, List<string>>(), CancellationToken.None).GetAwaiter().GetResult(), n => n.Name == "twosets");
    }

    /// <summary>
    /// A network made by the first plexus-cni (its definition without isGateway, defaultRoutes and routes) is taken by
    /// a configuration that asks for what it does (the gateway on the bridge, a default route), and its definition is
    /// upgraded; one that asks for otherwise is refused with code 7 saying the network is older and what differs.
    /// </summary>
    [PrivilegedFact]
    public void A_network_of_an_earlier_plugin_is_taken_and_upgraded_when_it_does_what_the_configuration_asks()
    {
        // The network as the earlier plugin made it: its bridge options, and its definition's text as that plugin wrote it.
        const string earlier = "bridge=cnimig0\nipMasq=true\nhairpinMode=false\npromiscMode=false\nicc=true\ninternal=false\nnames=false\nranges[0].subnet=10.72.0.0/24";
        world.Daemon.Client.CreateNetworkAsync(new Api.NetworkCreateJson
        {
            Name = "migrated",
            Driver = "bridge",
            IPAM = new Api.IpamJson { Config = [new Api.IpamConfigJson { Subnet = "10.72.0.0/24", Gateway = "10.72.0.1" }] },
            Options = new()
            {
                ["com.docker.network.bridge.name"] = "cnimig0", ["com.docker.network.bridge.enable_icc"] = "true",
                ["com.docker.network.bridge.enable_ip_masquerade"] = "true", [Engine.Controller.NetworkController.DefaultBridgeOption] = "true",
            },
            Labels = new() { [Engine.Controller.NetworkController.CniDefinitionLabel] = earlier },
        }, CancellationToken.None).GetAwaiter().GetResult();
        string Definition() => world.Daemon.Client.InspectNetworkAsync("migrated", CancellationToken.None).GetAwaiter().GetResult()
            .GetProperty("Labels").GetProperty(Engine.Controller.NetworkController.CniDefinitionLabel).GetString()!;

        // Today's default (no isGateway): no gateway on the bridge and no default route, which that network does not do.
        world.WriteConflist("migrated", """ "bridge": "cnimig0", "ipMasq": true, "ipam": {"ranges": [[{"subnet": "10.72.0.0/24"}]]}""");
        var ns1 = world.Container("mig1");
        var refused = world.Cnitool_("add", "migrated", ns1);
        Assert.True(refused.ExitCode != 0 && refused.Output.Contains("isGateway is true there, false here", StringComparison.Ordinal)
            && refused.Output.Contains("made by an earlier plexus-cni", StringComparison.Ordinal), refused.Output);
        Assert.Equal(earlier, Definition());

        // A configuration asking for what it does is taken; the definition is today's from then on.
        world.WriteConflist("migrated", """ "bridge": "cnimig0", "isGateway": true, "ipMasq": true, "ipam": {"ranges": [[{"subnet": "10.72.0.0/24"}]], "routes": [{"dst": "0.0.0.0/0"}]}""");
        var added = Added(world.Cnitool_("add", "migrated", ns1));
        Assert.StartsWith("10.72.0.", AddressOf(added), StringComparison.Ordinal);
        Assert.Contains("default via 10.72.0.1 dev eth0", world.In("mig1", "ip", "route").Output, StringComparison.Ordinal);
        Assert.Contains("isGateway=true", Definition(), StringComparison.Ordinal);
        var check = world.Cnitool_("check", "migrated", ns1);
        Assert.True(check.ExitCode == 0, check.Output);
        Assert.Equal(0, world.Cnitool_("del", "migrated", ns1).ExitCode);
        world.Daemon.Client.RemoveNetworkAsync("migrated", CancellationToken.None).GetAwaiter().GetResult();
    }
}
