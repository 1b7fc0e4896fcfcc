using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Plexus.Api;
using Plexus.Engine.Controller;
using Plexus.Engine.Drivers.Bridge;
using Plexus.Engine.Ipam;
using Plexus.Engine.Model;
using Plexus.Engine.Ports;

namespace Plexus.Daemon.Api;

/// <summary>
/// The plugin's request as the engine's: the configuration's network (the bridge plugin's keys as Docker's bridge
/// options, host-local's ranges as IPAM configuration) and the runtime's capability arguments as the endpoint.
/// Every refusal is a <see cref="PlexusException"/> naming the key and the value.
/// </summary>
internal static class CniMapping
{
    /// <summary>Most addresses a range may leave out of its block (each is kept as an auxiliary address).</summary>
    private const int MaxExcluded = 1000;

    public static CniAttachRequest AttachRequest(CniRequestJson body)
    {
        var containerId = Required(body.ContainerId, "container id (CNI_CONTAINERID)");
        var netns = Required(body.Netns, "network namespace (CNI_NETNS)");
        var ifname = Required(body.IfName, "interface name (CNI_IFNAME)");
        var network = body.Network ?? throw PlexusException.Invalid("the request has no network configuration");
        var (create, definition) = NetworkRequest(network);
        var runtime = body.Runtime ?? new CniRuntimeJson();
        return new CniAttachRequest
        {
            ContainerId = containerId,
            NamespacePath = netns,
            Network = create,
            Definition = definition,
            DefinesAddresses = network.Ranges is { Count: > 0 },
            Endpoint = EndpointRequest(runtime, ifname),
            DnsServers = runtime.DnsServers ?? [],
            DnsSearch = runtime.DnsSearch ?? [],
            DnsOptions = runtime.DnsOptions ?? [],
        };
    }

    /// <summary>The network to create, and its definition as text (<see cref="CniDefinitions"/>).</summary>
    internal static (NetworkCreateRequest Request, string Definition) NetworkRequest(CniNetworkJson network)
    {
        var name = Required(network.Name, "network name (name)");
        var options = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [BridgeOptions.EnableIcc] = Bool(network.Icc),
            [BridgeOptions.EnableIPMasquerade] = Bool(network.IpMasq),
        };
        if (network.Bridge is { Length: > 0 } bridge) options[BridgeOptions.BridgeName] = bridge;
        if (network.Mtu is { } mtu) options[BridgeOptions.Mtu] = mtu.ToString(CultureInfo.InvariantCulture);
        // Names through the resolver only when the configuration asks: the default bridge's marker turns them off.
        if (!network.Names) options[NetworkController.DefaultBridgeOption] = "true";
        var ranges = network.Ranges ?? [];
        var configs = RangeSets(ranges);
        // The bridge plugin's port and device flags, and its gateway keys: isDefaultGateway implies isGateway, as there.
        if (network.HairpinMode) options[BridgeOptions.HairpinMode] = "true";
        if (network.PromiscMode) options[BridgeOptions.PromiscMode] = "true";
        bool isGateway = network.IsGateway || network.IsDefaultGateway;
        options[BridgeOptions.GatewayOnBridge] = Bool(isGateway);
        var (defaultRoutes, routes) = Routes(network, configs);
        options[BridgeOptions.DefaultRoutes] = defaultRoutes;
        if (routes.Length > 0) options[BridgeOptions.Routes] = routes;
        var settings = new List<(string, string?)>
        {
            ("bridge", network.Bridge), ("mtu", network.Mtu?.ToString(CultureInfo.InvariantCulture)), ("ipMasq", Bool(network.IpMasq)),
            ("hairpinMode", Bool(network.HairpinMode)), ("promiscMode", Bool(network.PromiscMode)), ("isGateway", Bool(isGateway)),
            ("defaultRoutes", defaultRoutes), ("routes", routes.Length > 0 ? routes : null), ("icc", Bool(network.Icc)), ("internal", Bool(network.Internal)), ("names", Bool(network.Names)),
        };
        for (int i = 0; i < ranges.Count; i++)
        {
            settings.Add(($"ranges[{i}].subnet", configs[i].Subnet?.ToString()));
            settings.Add(($"ranges[{i}].rangeStart", ranges[i].RangeStart));
            settings.Add(($"ranges[{i}].rangeEnd", ranges[i].RangeEnd));
            settings.Add(($"ranges[{i}].gateway", ranges[i].Gateway));
        }
        var request = new NetworkCreateRequest
        {
            Name = name,
            Driver = "bridge",
            Options = options,
            Internal = network.Internal,
            EnableIPv6 = configs.Any(c => c.Subnet!.Value.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6),
            IpamConfigs = configs,
        };
        return (request, CniDefinitions.Format(settings));
    }

    /// <summary>
    /// host-local's range sets as the network's subnets, in order: a set of several ranges is several subnets of one
    /// family, and IPAM takes the endpoint's address from the first with one free, as host-local does. Each set is of
    /// one family (7, as host-local); two sets of one family would give an interface two addresses of it, which a
    /// Plexus endpoint (one address per family) does not hold: refused with 2.
    /// </summary>
    internal static List<IpamRequest> RangeSets(IReadOnlyList<CniRangeJson> ranges)
    {
        var setOf = ranges.Select((r, k) => r.Set ?? k).ToList();
        var configs = new List<IpamRequest>(ranges.Count);
        var sets = new Dictionary<int, (AddressFamily Family, int Count)>();
        var familySet = new Dictionary<AddressFamily, int>();
        for (int k = 0; k < ranges.Count; k++)
        {
            int set = setOf[k];
            int inSet = sets.TryGetValue(set, out var seen) ? seen.Count : 0;
            var config = Range(ranges[k], setOf.Count(s => s == set) > 1 ? $"ipam.ranges[{set}][{inSet}]" : $"ipam.ranges[{set}]");
            var family = config.Subnet!.Value.BaseAddress.AddressFamily;
            if (inSet > 0 && seen.Family != family)
                throw PlexusException.Invalid($"invalid ipam.ranges[{set}]: its ranges mix IPv4 and IPv6; a range set is of one family");
            if (familySet.TryGetValue(family, out var other) && other != set)
            {
                string name = family == AddressFamily.InterNetwork ? "IPv4" : "IPv6";
                throw new CniEndpoints.CniFailure(CniEndpoints.UnsupportedField,
                    $"ipam.ranges[{other}] and ipam.ranges[{set}] are both {name} range sets, which would give an interface two {name} addresses: a Plexus endpoint "
                    + $"holds one address of each family, so Plexus takes one range set per family (ranges in one set give one address, from the first with one free)", 400);
            }
            familySet[family] = set;
            sets[set] = (family, inSet + 1);
            configs.Add(config);
        }
        return configs;
    }

    /// <summary>
    /// The routes as the bridge plugin makes them: a default route via the range's gateway for each family when
    /// isDefaultGateway is set or ipam.routes has that family's default route (without gw, or via the gateway);
    /// every other route of ipam.routes as given, a route without gw via its family's gateway. Returns the
    /// families with a default route (<see cref="BridgeOptions.DefaultRoutes"/>) and the other routes
    /// (<see cref="BridgeOptions.Routes"/>).
    /// </summary>
    internal static (string DefaultRoutes, string Routes) Routes(CniNetworkJson network, IReadOnlyList<IpamRequest> ranges)
    {
        bool v4 = network.IsDefaultGateway, v6 = network.IsDefaultGateway;
        var others = new List<string>();
        int i = 0;
        foreach (var route in network.Routes ?? [])
        {
            string where = $"ipam.routes[{i++}]";
            if (!IPNetwork.TryParse(route.Dst, out var dst))
                throw PlexusException.Invalid($"invalid {where}.dst \"{route.Dst}\": expected a CIDR block such as 10.0.0.0/8");
            var family = dst.BaseAddress.AddressFamily;
            IPAddress? gw = null;
            if (route.Gw is { Length: > 0 } text && (gw = Address(text, $"{where}.gw")).AddressFamily != family)
                throw PlexusException.Invalid($"invalid {where}: gateway {gw} is not of the family of {dst}");
            var familyGateway = ranges.FirstOrDefault(r => r.Subnet!.Value.BaseAddress.AddressFamily == family)?.Gateway;
            if (dst.PrefixLength == 0 && (gw is null || gw.Equals(familyGateway)))
            {
                if (family == System.Net.Sockets.AddressFamily.InterNetwork) v4 = true;
                else v6 = true;
                continue;
            }
            others.Add(gw is null ? dst.ToString() : $"{dst} via {gw}");
        }
        var families = string.Join(',', new[] { v4 ? "ipv4" : null, v6 ? "ipv6" : null }.OfType<string>());
        return (families, string.Join(',', others));
    }

    /// <summary>
    /// One host-local range: its subnet and gateway; rangeStart..rangeEnd as the smallest block holding it (IPRange)
    /// with the block's addresses outside the range kept back as auxiliary addresses.
    /// </summary>
    internal static IpamRequest Range(CniRangeJson range, string where)
    {
        var subnetText = Required(range.Subnet, $"{where}.subnet");
        if (!IPNetwork.TryParse(subnetText, out var subnet))
            throw PlexusException.Invalid($"invalid {where}.subnet \"{subnetText}\": expected a CIDR block such as 10.22.0.0/16");
        var (first, last) = Bounds(subnet);
        int bits = subnet.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128;
        // host-local's gateway is the subnet's first address unless given.
        var gateway = range.Gateway is { Length: > 0 } g ? Address(g, $"{where}.gateway") : AddressOf(first + 1, bits);
        var start = range.RangeStart is { Length: > 0 } s ? Address(s, $"{where}.rangeStart") : null;
        var end = range.RangeEnd is { Length: > 0 } e ? Address(e, $"{where}.rangeEnd") : null;
        if (start is null && end is null) return new IpamRequest { Subnet = subnet, Gateway = gateway };
        var from = start is null ? first + 1 : Value(start);
        var to = end is null ? last - (bits == 32 ? 1u : 0u) : Value(end);
        if (from < first || to > last || from > to)
            throw PlexusException.Invalid($"invalid {where}: rangeStart..rangeEnd ({start?.ToString() ?? "start"}..{end?.ToString() ?? "end"}) must lie inside subnet {subnet}, start before end");
        // The smallest aligned block holding from..to.
        int prefix = bits;
        while (prefix > subnet.PrefixLength && (from >> (bits - prefix)) != (to >> (bits - prefix))) prefix--;
        var mask = prefix == bits ? UInt128.MaxValue : ~((UInt128.One << (bits - prefix)) - 1);
        if (bits == 32) mask &= uint.MaxValue;
        var blockFirst = from & mask;
        var blockLast = blockFirst + ((UInt128.One << (bits - prefix)) - 1);
        var aux = new Dictionary<string, IPAddress>(StringComparer.Ordinal);
        if ((from - blockFirst) + (blockLast - to) > MaxExcluded)
            throw PlexusException.Invalid($"invalid {where}: rangeStart..rangeEnd leaves {(from - blockFirst) + (blockLast - to)} addresses of block {AddressOf(blockFirst, bits)}/{prefix} out; "
                + $"Plexus takes ranges that leave at most {MaxExcluded} out (a CIDR block is best)");
        int n = 0;
        for (var a = blockFirst; a < from; a++) Exclude(a);
        for (var a = to + 1; a <= blockLast && a > to; a++) Exclude(a);
        return new IpamRequest
        {
            Subnet = subnet,
            Gateway = gateway,
            IPRange = prefix == subnet.PrefixLength ? null : new IPNetwork(AddressOf(blockFirst, bits), prefix),
            AuxAddresses = aux,
        };

        void Exclude(UInt128 address)
        {
            // The subnet's own first and last addresses and the gateway are never handed out anyway.
            var ip = AddressOf(address, bits);
            if (address == first || (bits == 32 && address == last) || ip.Equals(gateway)) return;
            aux[$"cni-excluded-{n++}"] = ip;
        }
    }

    /// <summary>The capability arguments as the endpoint's settings.</summary>
    internal static EndpointCreateRequest EndpointRequest(CniRuntimeJson runtime, string ifname)
    {
        IPAddress? v4 = null, v6 = null;
        foreach (var text in runtime.Ips ?? [])
        {
            var address = Address(text.Split('/')[0], "address (ips)");
            if (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
                v4 = v4 is null ? address : throw PlexusException.Invalid($"ips: two IPv4 addresses ({v4}, {address}); an interface takes one of each family");
            else
                v6 = v6 is null ? address : throw PlexusException.Invalid($"ips: two IPv6 addresses ({v6}, {address}); an interface takes one of each family");
        }
        var ports = (runtime.PortMappings ?? []).Select(Port).ToList();
        return new EndpointCreateRequest
        {
            InterfaceName = ifname,
            IPv4Address = v4,
            IPv6Address = v6,
            Mac = runtime.Mac is { Length: > 0 } mac
                ? Kernel.Types.MacAddress.TryParse(mac, out var m) ? m : throw PlexusException.Invalid($"invalid MAC address (mac) \"{mac}\"")
                : null,
            Aliases = runtime.Aliases ?? [],
            PublishedPorts = ports,
            ExposedPorts = ports.Select(p => $"{p.ContainerPort}/{p.ProtocolName}").Distinct().ToList(),
        };
    }

    private static PortBinding Port(CniPortMappingJson mapping)
    {
        var protocol = (mapping.Protocol ?? "tcp").ToLowerInvariant() switch
        {
            "tcp" or "" => PortProtocol.Tcp,
            "udp" => PortProtocol.Udp,
            "sctp" => PortProtocol.Sctp,
            var other => throw PlexusException.Invalid($"invalid portMappings protocol \"{other}\": expected tcp, udp or sctp"),
        };
        if (mapping.HostPort is < 1 or > 65535 || mapping.ContainerPort is < 1 or > 65535)
            throw PlexusException.Invalid($"invalid portMappings entry {mapping.HostPort}->{mapping.ContainerPort}: ports are 1 to 65535");
        var hostIP = mapping.HostIP is { Length: > 0 } h && h is not "0.0.0.0" and not "::" ? Address(h, "portMappings hostIP") : null;
        return new PortBinding(protocol, mapping.ContainerPort, hostIP, mapping.HostPort);
    }

    private static string Bool(bool value) => value ? "true" : "false";

    private static string Required(string? value, string what) =>
        value is { Length: > 0 } ? value : throw PlexusException.Invalid($"missing {what}");

    private static IPAddress Address(string text, string what) =>
        IPAddress.TryParse(text, out var ip) ? ip : throw PlexusException.Invalid($"invalid {what} \"{text}\": not an IP address");

    private static (UInt128 First, UInt128 Last) Bounds(IPNetwork subnet)
    {
        int bits = subnet.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128;
        var first = Value(subnet.BaseAddress);
        var size = subnet.PrefixLength == 0 && bits == 128 ? UInt128.MaxValue : (UInt128.One << (bits - subnet.PrefixLength)) - 1;
        return (first, first + size);
    }

    private static UInt128 Value(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out int written);
        return written == 4 ? BinaryPrimitives.ReadUInt32BigEndian(bytes) : BinaryPrimitives.ReadUInt128BigEndian(bytes);
    }

    private static IPAddress AddressOf(UInt128 value, int bits)
    {
        if (bits == 32)
        {
            Span<byte> four = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(four, (uint)value);
            return new IPAddress(four);
        }
        Span<byte> sixteen = stackalloc byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(sixteen, value);
        return new IPAddress(sixteen);
    }
}
