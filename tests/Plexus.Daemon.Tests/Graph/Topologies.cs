using Plexus.Graph.Model;

namespace Plexus.Daemon.Tests.Graph;

/// <summary>Fixed topologies for the writers' golden files: what a reader may meet, spelled out by hand.</summary>
internal static class Topologies
{
    /// <summary>
    /// Three bridge networks (one with icc off, one internal with IPv6 and an allocation range), the null
    /// and host networks, a sandbox on two networks with an alias, published ports (IPv4, IPv6 host
    /// address, udp), a link, and a sandbox on no network.
    /// </summary>
    public static Topology Mixed() => new()
    {
        Hosts = [new TopologyHost("node1")],
        Networks =
        [
            new TopologyNetwork
            {
                Id = "aa01", Name = "web", Driver = "bridge", Bridge = "plx-aa01", Masquerade = true,
                Subnets = [new TopologySubnet("172.18.0.0/16", "172.18.0.1")],
            },
            new TopologyNetwork
            {
                Id = "bb02", Name = "quiet", Driver = "bridge", Bridge = "plx-bb02", Icc = false, Masquerade = true,
                Subnets = [new TopologySubnet("172.19.0.0/16", "172.19.0.1")],
            },
            new TopologyNetwork
            {
                Id = "cc03", Name = "back", Driver = "bridge", Bridge = "br-back", Internal = true,
                Subnets = [new TopologySubnet("10.20.0.0/24", "10.20.0.1", "10.20.0.128/25"), new TopologySubnet("fd00:20::/64", "fd00:20::1")],
            },
            new TopologyNetwork { Id = "dd04", Name = "none", Driver = "null" },
            new TopologyNetwork { Id = "ee05", Name = "host", Driver = "host" },
        ],
        Sandboxes =
        [
            Sandbox("s-pub", "pub", Eth("aa01", "eth0", "172.18.0.4/16", "02:42:ac:12:00:04",
                published: [new TopologyPort("tcp", "0.0.0.0", 8080, 80), new TopologyPort("udp", "127.0.0.1", 5353, 53)]), exposed: ["53/udp", "80/tcp"]),
            Sandbox("s-c1", "c1", Eth("aa01", "eth0", "172.18.0.2/16", "02:42:ac:12:00:02"),
                Eth("cc03", "eth1", "10.20.0.130/24", "02:42:0a:14:00:82", ipv6: "fd00:20::2/64", aliases: ["api", "c1.internal"])),
            Sandbox("s-server", "server", Eth("bb02", "eth0", "172.19.0.2/16", "02:42:ac:13:00:02",
                published: [new TopologyPort("tcp", "::1", 8443, 443)]), exposed: ["443/tcp", "80/tcp"]),
            Sandbox("s-client", "client", Eth("bb02", "eth0", "172.19.0.3/16", "02:42:ac:13:00:03")),
            Sandbox("s-iso", "isolated", new TopologyInterface { NetworkId = "dd04", Note = "loopback only" }),
            Sandbox("s-hostnet", "on-host", new TopologyInterface { NetworkId = "ee05", Note = "host's network stack" }),
            Sandbox("s-lone", "lonely"),
        ],
        Links = [new TopologyLink("s-client", "s-server", "srv")],
    };

    /// <summary>Names as users may write them: spaces, quotes, backslashes, markup, '#', '|', unicode.</summary>
    public static Topology Awkward() => new()
    {
        Hosts = [new TopologyHost("h")],
        Networks =
        [
            new TopologyNetwork
            {
                Id = "n1", Name = "my \"net\" <1> & \\ #2", Driver = "bridge", Bridge = "br-ü", Masquerade = true,
                Subnets = [new TopologySubnet("10.1.0.0/24", "10.1.0.1")],
            },
        ],
        Sandboxes =
        [
            Sandbox("x1", "café ☕ \"q\"", Eth("n1", "eth0", "10.1.0.2/24", "02:42:0a:01:00:02", aliases: ["a|b", "日本"],
                published: [new TopologyPort("tcp", "0.0.0.0", 80, 8080)])),
            Sandbox("x2", "tab\there {x}", Eth("n1", "eth0", "10.1.0.3/24", "02:42:0a:01:00:03")),
        ],
        Links = [new TopologyLink("x2", "x1", "l'ink \"1\"")],
    };

    /// <summary>One network across two hosts (as the overlay will make) and one local to each host.</summary>
    public static Topology TwoHosts() => new()
    {
        Hosts = [new TopologyHost("host-b"), new TopologyHost("host-a")],
        Networks =
        [
            new TopologyNetwork
            {
                Id = "ov", Name = "mesh", Driver = "overlay", Scope = "global", Masquerade = false,
                Subnets = [new TopologySubnet("10.9.0.0/24", "10.9.0.1")],
            },
            new TopologyNetwork
            {
                Id = "lo-a", Name = "edge", Driver = "bridge", Bridge = "plx-edge", Masquerade = true,
                Subnets = [new TopologySubnet("172.30.0.0/24", "172.30.0.1")],
            },
        ],
        Sandboxes =
        [
            Sandbox("a1", "api-1", Eth("ov", "eth0", "10.9.0.2/24", "02:42:0a:09:00:02"), Eth("lo-a", "eth1", "172.30.0.2/24", "02:42:ac:1e:00:02",
                published: [new TopologyPort("tcp", "0.0.0.0", 443, 8443)])) with { Host = "host-a" },
            Sandbox("b1", "api-2", Eth("ov", "eth0", "10.9.0.3/24", "02:42:0a:09:00:03")) with { Host = "host-b" },
            Sandbox("b2", "db", Eth("ov", "eth0", "10.9.0.4/24", "02:42:0a:09:00:04", published: [new TopologyPort("tcp", "0.0.0.0", 443, 5432)])) with { Host = "host-b" },
        ],
    };

    /// <summary>
    /// <paramref name="sandboxes"/> sandboxes over three networks (most on the first), every tenth with a
    /// published port: the size at which the picture must still be usable.
    /// </summary>
    public static Topology Large(int sandboxes)
    {
        string[] nets = ["big", "mid", "small"];
        var list = new List<TopologySandbox>();
        for (int i = 0; i < sandboxes; i++)
        {
            int n = i < sandboxes * 3 / 4 ? 0 : i < sandboxes * 19 / 20 ? 1 : 2;
            var published = i % 10 == 0 ? new[] { new TopologyPort("tcp", "0.0.0.0", 9000 + i, 80) } : [];
            list.Add(Sandbox($"id{i:0000}", $"worker-{i:000}",
                Eth(nets[n], "eth0", $"10.{n + 1}.{i / 250}.{i % 250 + 2}/16", $"02:42:0a:{n + 1:x2}:{i / 250:x2}:{i % 250 + 2:x2}", published: published)));
        }
        return new Topology
        {
            Hosts = [new TopologyHost("h")],
            Networks = nets.Select((name, n) => new TopologyNetwork
            {
                Id = name, Name = name, Driver = "bridge", Bridge = "plx-" + name, Masquerade = true,
                Subnets = [new TopologySubnet($"10.{n + 1}.0.0/16", $"10.{n + 1}.0.1")],
            }).ToList(),
            Sandboxes = list,
        };
    }

    private static TopologySandbox Sandbox(string id, string name, params TopologyInterface[] interfaces) =>
        new() { Id = id, Name = name, Host = "node1", Interfaces = interfaces };

    private static TopologySandbox Sandbox(string id, string name, TopologyInterface eth, IReadOnlyList<string> exposed) =>
        new() { Id = id, Name = name, Host = "node1", Interfaces = [eth], Exposed = exposed };

    private static TopologyInterface Eth(string network, string name, string ipv4, string mac, string? ipv6 = null,
        IReadOnlyList<string>? aliases = null, IReadOnlyList<TopologyPort>? published = null) => new()
    {
        NetworkId = network, Name = name, IPv4 = ipv4, IPv6 = ipv6, Mac = mac, Aliases = aliases ?? [], Published = published ?? [],
    };
}
