using System.Globalization;
using System.Net;
using Plexus.Engine.Controller;
using Plexus.Engine.Ipam;
using Plexus.Engine.Model;
using Plexus.Engine.Tests.Support;
using Plexus.Testing;

namespace Plexus.Engine.Tests.Privileged;

/// <summary>
/// The embedded resolver as programs inside sandboxes use it: glibc's getent (what most programs see),
/// busybox nslookup (asks the DNS server, skipping the hosts file), over real sockets at 127.0.0.11.
/// </summary>
[Trait("Category", "Privileged")]
public sealed class DnsTests
{
    private static void Network(NetworkController c, string name, string subnet, bool isInternal = false) =>
        c.CreateNetwork(new NetworkCreateRequest { Name = name, Internal = isInternal, IpamConfigs = [new IpamRequest { Subnet = IPNetwork.Parse(subnet) }] });

    private static void Sandbox(NetworkController c, string name, string network, string? ip = null, string[]? aliases = null, IReadOnlyList<SandboxLink>? links = null)
    {
        c.CreateSandbox(new SandboxCreateRequest { Name = name, Links = links ?? [] });
        c.Connect(network, name, new EndpointCreateRequest { IPv4Address = ip is null ? null : IPAddress.Parse(ip), Aliases = aliases ?? [] });
    }

    /// <summary>Addresses busybox nslookup got from the resolver (the DNS answer, not the hosts file).</summary>
    private static string NsLookup(EngineWorld w, string sandbox, string name) =>
        w.Exec(sandbox, "busybox", "nslookup", name, "127.0.0.11").Output;

    [PrivilegedFact]
    public void Sandboxes_on_a_network_find_each_other_by_name_and_alias_and_their_resolv_conf_points_at_the_resolver()
    {
        using var w = new EngineWorld();
        var c = w.Controller;
        Network(c, "app", "10.61.0.0/24");
        Sandbox(c, "db", "app", "10.61.0.10", ["database", "Primary.DB"]);
        Sandbox(c, "web", "app", "10.61.0.20");

        Assert.Equal("10.61.0.10", GetentAddress(w, "web", "db"));
        Assert.Equal("10.61.0.10", GetentAddress(w, "web", "database"));
        Assert.Equal("10.61.0.10", GetentAddress(w, "web", "PRIMARY.db")); // names compare without case
        Assert.Equal("10.61.0.10", GetentAddress(w, "web", "db.app"));     // name.network
        Assert.Equal("10.61.0.20", GetentAddress(w, "web", "web"));        // itself
        Assert.Contains("10.61.0.10", NsLookup(w, "web", "db"), StringComparison.Ordinal);
        Assert.Contains("db.app", NsLookup(w, "web", "10.61.0.10"), StringComparison.Ordinal); // PTR

        var resolv = w.Exec("web", "cat", "/etc/resolv.conf").Output;
        Assert.Contains("nameserver 127.0.0.11", resolv, StringComparison.Ordinal);
        Assert.Contains("options ndots:0", resolv, StringComparison.Ordinal);
        Assert.DoesNotContain("nameserver 192.0.2.53", resolv, StringComparison.Ordinal);

        var unknown = w.Exec("web", "getent", "hosts", "nobody");
        Assert.NotEqual(0, unknown.ExitCode);
        Assert.Contains("NXDOMAIN", NsLookup(w, "web", "nobody"), StringComparison.Ordinal);
    }

    [PrivilegedFact]
    public void Names_resolve_only_on_shared_networks_and_follow_joins_and_leaves_at_once()
    {
        using var w = new EngineWorld();
        var c = w.Controller;
        Network(c, "red", "10.62.0.0/24");
        Network(c, "blue", "10.63.0.0/24");
        Sandbox(c, "x", "red", "10.62.0.10");
        Sandbox(c, "y", "blue", "10.63.0.10");
        Sandbox(c, "z", "red", "10.62.0.20");
        c.Connect("blue", "z", new EndpointCreateRequest { IPv4Address = IPAddress.Parse("10.63.0.20") });

        Assert.Null(GetentAddress(w, "x", "y"));                   // no network in common
        Assert.Equal(3, Ask(c, "x", "y").Rcode);                    // NXDOMAIN, not forwarded
        Assert.Equal("10.62.0.20", GetentAddress(w, "x", "z"));    // z's address on the shared network
        Assert.Equal("10.63.0.20", GetentAddress(w, "y", "z"));
        Assert.Equal("10.62.0.10", GetentAddress(w, "z", "x"));
        Assert.Equal("10.63.0.10", GetentAddress(w, "z", "y"));

        c.Disconnect("red", "z");
        Assert.Equal(3, Ask(c, "x", "z").Rcode);                    // gone at once
        Assert.Equal([IPAddress.Parse("10.63.0.20")], Ask(c, "y", "z").Addresses);

        // x leaves its last network with names: resolv.conf lists the upstream again, and its resolver, idle until
        // the next join, refuses every question: no name of its old network, nothing forwarded.
        c.Disconnect("red", "x");
        Assert.Contains("nameserver 192.0.2.53", w.Exec("x", "cat", "/etc/resolv.conf").Output, StringComparison.Ordinal);
        Assert.False(c.ServesDns(c.GetSandbox("x")));
        Assert.Equal(5, Ask(c, "x", "z").Rcode);                    // REFUSED
        Assert.Equal(5, Ask(c, "x", "example.com").Rcode);
        // It comes back on blue with another address: y finds it there at once.
        c.Connect("blue", "x", new EndpointCreateRequest { IPv4Address = IPAddress.Parse("10.63.0.30") });
        Assert.Equal([IPAddress.Parse("10.63.0.30")], Ask(c, "y", "x").Addresses);
        Assert.Equal("10.63.0.30", GetentAddress(w, "y", "x"));
    }

    [PrivilegedFact]
    public void A_dual_stack_network_answers_aaaa_and_reverse_ipv6()
    {
        using var w = new EngineWorld();
        var c = w.Controller;
        c.CreateNetwork(new NetworkCreateRequest
        {
            Name = "dual",
            EnableIPv6 = true,
            IpamConfigs = [new IpamRequest { Subnet = IPNetwork.Parse("10.72.0.0/24") }, new IpamRequest { Subnet = IPNetwork.Parse("fd00:72::/64") }],
        });
        c.CreateSandbox(new SandboxCreateRequest { Name = "db" });
        c.Connect("dual", "db", new EndpointCreateRequest { IPv4Address = IPAddress.Parse("10.72.0.10"), IPv6Address = IPAddress.Parse("fd00:72::10") });
        Sandbox(c, "web", "dual");
        Assert.Equal([IPAddress.Parse("fd00:72::10")], Ask(c, "web", "db", type: 28).Addresses);
        Assert.Equal([IPAddress.Parse("10.72.0.10")], Ask(c, "web", "db").Addresses);
        Assert.Contains("fd00:72::10", w.Exec("web", "getent", "ahosts", "db").Output, StringComparison.Ordinal);
        Assert.Contains("db.dual", NsLookup(w, "web", "fd00:72::10"), StringComparison.Ordinal);
    }

    [PrivilegedFact]
    public void An_alias_shared_by_two_sandboxes_returns_both_rotated()
    {
        using var w = new EngineWorld();
        var c = w.Controller;
        Network(c, "rr", "10.64.0.0/24");
        Sandbox(c, "s1", "rr", "10.64.0.11", ["svc"]);
        Sandbox(c, "s2", "rr", "10.64.0.12", ["svc"]);
        Sandbox(c, "client", "rr");

        var first = Ask(c, "client", "svc");
        var second = Ask(c, "client", "svc");
        Assert.Equal(["10.64.0.11", "10.64.0.12"], first.Addresses.Select(a => a.ToString()).Order());
        Assert.Equal(first.Addresses.Select(a => a.ToString()).Order(), second.Addresses.Select(a => a.ToString()).Order());
        Assert.NotEqual(first.Addresses[0], second.Addresses[0]); // rotated
        var looked = NsLookup(w, "client", "svc");
        Assert.Contains("10.64.0.11", looked, StringComparison.Ordinal);
        Assert.Contains("10.64.0.12", looked, StringComparison.Ordinal);

        // Over TCP too, and AAAA for an IPv4-only name is an empty NOERROR (not NXDOMAIN, which would hide A).
        Assert.Equal(2, Ask(c, "client", "svc", tcp: true).Addresses.Count);
        var aaaa = Ask(c, "client", "svc", type: 28);
        Assert.Equal((0, 0), (aaaa.Rcode, aaaa.AnswerCount));
        c.DeleteSandbox("s1");
        Assert.Equal([IPAddress.Parse("10.64.0.12")], Ask(c, "client", "svc").Addresses);
    }

    [PrivilegedFact]
    public void Other_names_are_forwarded_upstream_except_from_internal_networks()
    {
        using var w = new EngineWorld("nftables");
        using var outside = new OutsideDns(w);
        var c = w.Controller;
        Network(c, "out", "10.65.0.0/24");
        c.CreateSandbox(new SandboxCreateRequest { Name = "web", DnsServers = [OutsideDns.Address] });
        c.Connect("out", "web");

        Assert.Equal(OutsideDns.WwwAddress, GetentAddress(w, "web", "www.example.test"));
        Assert.Contains(OutsideDns.WwwAddress, NsLookup(w, "web", "www.example.test"), StringComparison.Ordinal);
        // An answer too big for 512 octets: truncated over UDP, whole over TCP.
        var web = c.GetSandbox("web").Namespace;
        var udp = DnsProbe.Ask(web, "big.example.test", type: 16);
        Assert.True(udp.Truncated);
        var tcp = DnsProbe.Ask(web, "big.example.test", type: 16, tcp: true);
        Assert.Equal((0, false, 1), (tcp.Rcode, tcp.Truncated, tcp.AnswerCount));
        Assert.Contains("query[A] www.example.test from", outside.Log, StringComparison.Ordinal);

        // An internal network never forwards; its sandboxes still find each other.
        Network(c, "closed", "10.66.0.0/24", isInternal: true);
        c.CreateSandbox(new SandboxCreateRequest { Name = "inner", DnsServers = [OutsideDns.Address] });
        c.Connect("closed", "inner");
        Sandbox(c, "peer", "closed", "10.66.0.50");
        var before = outside.Log.Length;
        Assert.Null(GetentAddress(w, "inner", "www.example.test"));
        Assert.Equal(5, Ask(c, "inner", "www.example.test").Rcode); // REFUSED
        Assert.Equal("10.66.0.50", GetentAddress(w, "inner", "peer"));
        Assert.DoesNotContain("www.example.test", outside.Log[before..], StringComparison.Ordinal);
    }

    [PrivilegedFact]
    public void A_loopback_upstream_is_asked_from_the_host_namespace()
    {
        using var w = new EngineWorld();
        using var hostDns = new Dnsmasq(w.Net.PathOf("host"), "127.0.0.1");
        var c = w.Controller;
        Network(c, "lb", "10.67.0.0/24");
        c.CreateSandbox(new SandboxCreateRequest { Name = "web", DnsServers = ["127.0.0.1"] });
        c.Connect("lb", "web");
        Assert.Equal(OutsideDns.WwwAddress, GetentAddress(w, "web", "www.example.test"));
    }

    [PrivilegedFact]
    public void Link_aliases_resolve_for_the_linking_sandbox_only_and_the_default_bridge_has_no_resolver()
    {
        using var w = new EngineWorld();
        var c = w.Controller;
        Network(c, "app", "10.68.0.0/24");
        Sandbox(c, "server", "app", "10.68.0.10");
        Sandbox(c, "client", "app", links: [new SandboxLink("server", "srv")]);
        Sandbox(c, "other", "app");
        Assert.Equal([IPAddress.Parse("10.68.0.10")], Ask(c, "client", "srv").Addresses); // from DNS, not the hosts file
        Assert.Equal(3, Ask(c, "other", "srv").Rcode);

        c.CreateNetwork(new NetworkCreateRequest
        {
            Name = "bridge",
            Options = new Dictionary<string, string> { [NetworkController.DefaultBridgeOption] = "true" },
            IpamConfigs = [new IpamRequest { Subnet = IPNetwork.Parse("10.69.0.0/24") }],
        });
        Sandbox(c, "legacy", "bridge");
        Assert.False(c.ServesDns(c.GetSandbox("legacy")));
        Assert.Contains("nameserver 192.0.2.53", w.Exec("legacy", "cat", "/etc/resolv.conf").Output, StringComparison.Ordinal);
        Assert.Null(DnsProbe.ExchangeUdp(c.GetSandbox("legacy").Namespace, DnsProbe.Query("server", 1), timeoutMs: 300));
    }

    [PrivilegedFact]
    public void Port_53_belongs_to_the_sandbox_its_own_servers_bind_it_and_names_still_resolve_at_127_0_0_11()
    {
        using var w = new EngineWorld();
        var c = w.Controller;
        Network(c, "app", "10.73.0.0/24");
        Sandbox(c, "db", "app", "10.73.0.10");
        Sandbox(c, "dns", "app", "10.73.0.53");
        var ns = c.GetSandbox("dns").Namespace;

        // The sandbox's own DNS server takes UDP and TCP port 53 on every address, IPv4 and IPv6, as dnsmasq does.
        using var servers = new Sockets(ns.Run(() => new[]
        {
            Bound(System.Net.Sockets.SocketType.Dgram, new IPEndPoint(IPAddress.Any, 53)),
            Bound(System.Net.Sockets.SocketType.Stream, new IPEndPoint(IPAddress.Any, 53)),
            Bound(System.Net.Sockets.SocketType.Dgram, new IPEndPoint(IPAddress.IPv6Any, 53), v6Only: true),
            Bound(System.Net.Sockets.SocketType.Stream, new IPEndPoint(IPAddress.IPv6Any, 53), v6Only: true),
        }));

        // ...and names still resolve through 127.0.0.11:53, over UDP and TCP, for glibc's programs too.
        Assert.Equal([IPAddress.Parse("10.73.0.10")], DnsProbe.Ask(ns, "db").Addresses);
        Assert.Equal([IPAddress.Parse("10.73.0.10")], DnsProbe.Ask(ns, "db", tcp: true).Addresses);
        Assert.Equal("10.73.0.10", GetentAddress(w, "dns", "db"));
        // The redirect lives in the sandbox's namespace only (seen from outside: the sandbox's processes lack CAP_NET_ADMIN).
        Assert.Contains("table ip plexus_dns", Processes.Run("nsenter", [$"--net={ns.Path}", "--", "nft", "list", "tables"]).Output, StringComparison.Ordinal);
        Assert.DoesNotContain("plexus_dns", Processes.Run("nsenter", [$"--net={w.Net.HostNs.Path}", "--", "nft", "list", "tables"]).Output, StringComparison.Ordinal);
    }

    [PrivilegedFact]
    public void A_leave_leaves_the_resolver_idle_refusing_and_a_rejoin_wakes_it_on_the_same_sockets_and_redirect()
    {
        using var w = new EngineWorld();
        var c = w.Controller;
        Network(c, "app", "10.76.0.0/24");
        Sandbox(c, "db", "app", "10.76.0.10");
        Sandbox(c, "client", "app", "10.76.0.20");
        var ns = c.GetSandbox("client").Namespace;
        string Redirect() => Processes.Run("nsenter", [$"--net={ns.Path}", "--", "nft", "-a", "list", "table", "ip", "plexus_dns"]).Output;
        // The resolver's listening TCP and UDP sockets, with their inodes: the same inodes are the same sockets.
        string Sockets() => Processes.Run("nsenter", [$"--net={ns.Path}", "--", "ss", "-Hnltue", "src", "127.0.0.11"]).Output;
        var (redirect, sockets) = (Redirect(), Sockets());
        Assert.Contains("127.0.0.11", sockets, StringComparison.Ordinal);

        // The leave idles the resolver: the same sockets, the same redirect, and every question REFUSED.
        c.Disconnect("app", "client");
        Assert.False(c.ServesDns(c.GetSandbox("client")));
        Assert.Equal(sockets, Sockets());
        Assert.Equal(redirect, Redirect());
        Assert.Equal(5, DnsProbe.Ask(ns, "db").Rcode);
        Assert.Equal(5, DnsProbe.Ask(ns, "db", tcp: true).Rcode);

        // The re-join wakes it: no new socket, no nf_tables transaction (the same handles), names over UDP and TCP.
        c.Connect("app", "client");
        Assert.True(c.ServesDns(c.GetSandbox("client")));
        Assert.Equal(sockets, Sockets());
        Assert.Equal(redirect, Redirect());
        Assert.Equal([IPAddress.Parse("10.76.0.10")], DnsProbe.Ask(ns, "db").Addresses);
        Assert.Equal([IPAddress.Parse("10.76.0.10")], DnsProbe.Ask(ns, "db", tcp: true).Addresses);

        // Removing the sandbox closes its resolver, idle or not: no socket of it stays open (an open socket would
        // also keep the namespace alive). The controller runs in this process, so its descriptors are ours.
        var inodes = System.Text.RegularExpressions.Regex.Matches(Sockets(), @"ino:(\d+)").Select(m => $"socket:[{m.Groups[1].Value}]").ToList();
        Assert.Equal(2, inodes.Count);
        // And the netfilter socket its redirect was written with, kept as long as the sandbox (closed by the closer thread).
        var redirectSocket = Assert.Single(NetfilterSockets(ns.Path));
        HashSet<string> Open() => [.. Directory.EnumerateFileSystemEntries("/proc/self/fd").Select(f => new FileInfo(f).LinkTarget ?? "")];
        Assert.Subset(Open(), new HashSet<string>([.. inodes, redirectSocket]));
        c.Disconnect("app", "client");
        c.DeleteSandbox("client");
        Assert.Empty(Open().Intersect(inodes));
        Assert.True(SpinWait.SpinUntil(() => !Open().Contains(redirectSocket), TimeSpan.FromSeconds(30)), "the redirect's socket stayed open");
    }

    /// <summary>The processes' NETLINK_NETFILTER sockets in a namespace, as /proc/self/fd names them ("socket:[inode]").</summary>
    private static List<string> NetfilterSockets(string nsPath) =>
        [.. Processes.Run("nsenter", [$"--net={nsPath}", "--", "cat", "/proc/net/netlink"]).Output
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Skip(1)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length >= 10 && f[1] == "12" && f[2] != "0") // Eth: NETLINK_NETFILTER; port 0 is the kernel's own
            .Select(f => $"socket:[{f[9]}]")];

    [PrivilegedFact]
    public void A_server_already_on_127_0_0_11_53_in_an_adopted_namespace_does_not_stop_the_resolver()
    {
        using var w = new EngineWorld();
        var c = w.Controller;
        Network(c, "app", "10.74.0.0/24");
        Sandbox(c, "db", "app", "10.74.0.10");
        var (busyNs, _) = w.Net.Add("busy");
        using var squatter = busyNs.Run(() => Bound(System.Net.Sockets.SocketType.Dgram, new IPEndPoint(IPAddress.Parse("127.0.0.11"), 53)));
        c.CreateSandbox(new SandboxCreateRequest { Name = "busy", Mode = SandboxNamespaceMode.Path, NamespacePath = w.Net.PathOf("busy") });

        c.Connect("app", "busy");
        Assert.True(c.ServesDns(c.GetSandbox("busy")));
        Assert.Equal([IPAddress.Parse("10.74.0.10")], DnsProbe.Ask(busyNs, "db").Addresses);
    }

    [PrivilegedFact]
    public void A_join_that_fails_after_its_resolver_started_takes_the_resolver_and_its_redirect_back()
    {
        using var w = new EngineWorld();
        var c = w.Controller;
        Network(c, "app", "10.75.0.0/24");
        // An adopted namespace that already has an eth0: the driver cannot put the endpoint's interface there.
        var (busyNs, busyRt) = w.Net.Add("busy");
        busyRt.CreateLink(new Plexus.Kernel.Rtnl.LinkKinds.VethSpec("eth0", "eth0peer"));
        c.CreateSandbox(new SandboxCreateRequest { Name = "busy", Mode = SandboxNamespaceMode.Path, NamespacePath = w.Net.PathOf("busy") });
        var hostLinks = w.HostLinks();

        Assert.Throws<PlexusException>(() => c.Connect("app", "busy"));
        Assert.False(c.ServesDns(c.GetSandbox("busy")));
        Assert.DoesNotContain("plexus_dns", w.Net.Exec("busy", "nft", "list", "tables").Output, StringComparison.Ordinal);
        // The socket the redirect was written and removed with is closed too (by the closer thread).
        Assert.True(SpinWait.SpinUntil(() => NetfilterSockets(w.Net.PathOf("busy")).Count == 0, TimeSpan.FromSeconds(30)), "the redirect's socket stayed open");
        Assert.Equal(hostLinks, w.HostLinks());
        Assert.Empty(c.EndpointsOf(c.GetNetwork("app")));
    }

    private static System.Net.Sockets.Socket Bound(System.Net.Sockets.SocketType type, IPEndPoint at, bool v6Only = false)
    {
        var socket = new System.Net.Sockets.Socket(at.AddressFamily, type, type == System.Net.Sockets.SocketType.Dgram ? System.Net.Sockets.ProtocolType.Udp : System.Net.Sockets.ProtocolType.Tcp);
        if (v6Only) socket.DualMode = false;
        socket.Bind(at);
        if (type == System.Net.Sockets.SocketType.Stream) socket.Listen();
        return socket;
    }

    private sealed class Sockets(System.Net.Sockets.Socket[] all) : IDisposable
    {
        public void Dispose()
        {
            foreach (var s in all) s.Dispose();
        }
    }

    [PrivilegedFact]
    public void Resolvers_come_back_after_a_restart()
    {
        using var w = new EngineWorld();
        Network(w.Controller, "app", "10.70.0.0/24");
        Sandbox(w.Controller, "db", "app", "10.70.0.10");
        Sandbox(w.Controller, "web", "app");
        var c = w.Restart();
        Assert.True(c.ServesDns(c.GetSandbox("web")));
        Assert.Equal("10.70.0.10", GetentAddress(w, "web", "db"));
    }

    [PrivilegedFact]
    public void Garbage_and_floods_get_formerr_or_silence_and_never_stall_other_sandboxes()
    {
        using var w = new EngineWorld();
        var c = w.Controller;
        Network(c, "app", "10.71.0.0/24");
        Sandbox(c, "db", "app", "10.71.0.10");
        // Its upstream does not exist: every foreign question waits out the timeout.
        c.CreateSandbox(new SandboxCreateRequest { Name = "noisy", DnsServers = ["198.51.100.99"] });
        c.Connect("app", "noisy");
        Sandbox(c, "quiet", "app");
        var noisy = c.GetSandbox("noisy").Namespace;

        var formErr = DnsProbe.ExchangeUdp(noisy, [0xAB, 0xCD, 0x01, 0x00, 0, 2, 0, 0, 0, 0, 0, 0]);
        Assert.NotNull(formErr);
        Assert.Equal((0xABCD, 1), (DnsProbe.Parse(formErr).Id, DnsProbe.Parse(formErr).Rcode)); // two questions: FORMERR
        Assert.Null(DnsProbe.ExchangeUdp(noisy, [1, 2, 3], timeoutMs: 300));                     // no header: silence

        var random = new Random(6);
        var valid = DnsProbe.Query("db", 1);
        using (var s = noisy.Run(() => new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork,
                   System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp)))
        {
            var to = new IPEndPoint(IPAddress.Parse("127.0.0.11"), 53);
            for (int i = 0; i < 3000; i++)
            {
                byte[] packet = (i % 3) switch
                {
                    0 => RandomBytes(random, random.Next(0, 700)),
                    1 => valid[..random.Next(0, valid.Length)],                                 // truncated
                    _ => DnsProbe.Query($"n{i}.flood.example", 1),                              // forwarded, never answered
                };
                s.SendTo(packet, to);
                if (i % 500 == 0) Assert.Equal("10.71.0.10", Ask(c, "quiet", "db").Addresses.Single().ToString());
            }
        }
        // The flood is still waiting upstream: other sandboxes, and the flooder's own local names, answer at once.
        var started = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal("10.71.0.10", Ask(c, "quiet", "db").Addresses.Single().ToString());
        Assert.Equal("10.71.0.10", Ask(c, "noisy", "db").Addresses.Single().ToString());
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(2), $"answers took {started.Elapsed}");
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var b = new byte[length];
        random.NextBytes(b);
        return b;
    }

    private static DnsProbe.Answer Ask(NetworkController c, string sandbox, string name, ushort type = 1, bool tcp = false) =>
        DnsProbe.Ask(c.GetSandbox(sandbox).Namespace, name, type, tcp);

    private static string? GetentAddress(EngineWorld w, string sandbox, string name)
    {
        var (code, output) = w.Exec(sandbox, "getent", "hosts", name);
        return code == 0 ? output.Split((char[])[' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries)[0] : null;
    }
}
