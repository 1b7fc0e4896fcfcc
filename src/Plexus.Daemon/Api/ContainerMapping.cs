using Plexus.Api;
using System.Globalization;
using Plexus.Engine.Controller;
using Plexus.Engine.Model;
using Plexus.Engine.Sandboxes;

namespace Plexus.Daemon.Api;

/// <summary>Sandboxes as Docker containers, and Docker endpoint settings as engine requests.</summary>
internal static class ContainerMapping
{
    public static EndpointCreateRequest EndpointRequest(EndpointSettingsJson? settings) => new()
    {
        IPv4Address = settings?.IPAMConfig?.IPv4Address is { Length: > 0 } v4 ? NetworkMapping.Address(v4, "IPv4 address") : null,
        IPv6Address = settings?.IPAMConfig?.IPv6Address is { Length: > 0 } v6 ? NetworkMapping.Address(v6, "IPv6 address") : null,
        Mac = settings?.MacAddress is { Length: > 0 } mac
            ? Kernel.Types.MacAddress.TryParse(mac, out var m) ? m : throw PlexusException.Invalid($"invalid MAC address '{mac}'")
            : null,
        Aliases = settings?.Aliases ?? [],
        GatewayPriority = settings?.GwPriority ?? 0,
        LinkLocalAddresses = (settings?.IPAMConfig?.LinkLocalIPs ?? []).Select(LinkLocal).ToList(),
        Links = settings?.Links ?? [],
        DriverOptions = settings?.DriverOpts ?? [],
    };

    /// <summary>Docker takes any address but the unspecified one.</summary>
    private static System.Net.IPAddress LinkLocal(string text) =>
        System.Net.IPAddress.TryParse(text, out var ip) && !ip.Equals(System.Net.IPAddress.Any) && !ip.Equals(System.Net.IPAddress.IPv6Any)
            ? ip
            : throw PlexusException.Invalid($"invalid link-local IP address: {text}");

    /// <param name="dnsNames">Whether the network gives its endpoints names (<see cref="NetworkController.HasDnsNames"/>).</param>
    public static EndpointSettingsJson EndpointJson(EndpointState e, NetworkState n, bool dnsNames) => new()
    {
        NetworkID = n.Id,
        EndpointID = e.Id,
        Aliases = e.Aliases.ToList(),
        MacAddress = e.Mac?.ToString() ?? "",
        IPAddress = e.IPv4?.Address.ToString() ?? "",
        IPPrefixLen = e.IPv4?.PrefixLength ?? 0,
        // The gateways its driver's join offered, as recorded on the endpoint.
        Gateway = e.Joined?.GatewayV4?.ToString() ?? "",
        GlobalIPv6Address = e.IPv6?.Address.ToString() ?? "",
        GlobalIPv6PrefixLen = e.IPv6?.PrefixLength ?? 0,
        IPv6Gateway = e.Joined?.GatewayV6?.ToString() ?? "",
        GwPriority = e.GatewayPriority,
        // The names the embedded resolver answers for it on this network (none on the default bridge, as Docker).
        DNSNames = e.SandboxId is { } sid && dnsNames
            ? [e.Name, Ids.Short(sid), .. e.Aliases]
            : null,
        // What was asked on connect, as Docker shows it; null when nothing was.
        IPAMConfig = e.RequestedIPv4 is null && e.RequestedIPv6 is null && e.LinkLocalAddresses.Count == 0 ? null : new EndpointIpamConfigJson
        {
            IPv4Address = e.RequestedIPv4?.ToString(),
            IPv6Address = e.RequestedIPv6?.ToString(),
            LinkLocalIPs = e.LinkLocalAddresses.Count == 0 ? null : e.LinkLocalAddresses.Select(a => a.ToString()).ToList(),
        },
        Links = e.Links.Count == 0 ? null : e.Links.ToList(),
        DriverOpts = e.DriverOptions.Count == 0 ? null : new Dictionary<string, string>(e.DriverOptions),
    };

    /// <summary>The sandbox's endpoints in join order, each with its network (looked up by id).</summary>
    public static IReadOnlyList<JoinedEndpoint> Joined(Sandbox s, NetworkController c)
    {
        var result = new List<JoinedEndpoint>();
        foreach (var e in c.EndpointsOf(s))
            if (c.TryGetNetwork(e.NetworkId, out var n)) result.Add(new JoinedEndpoint(e, n, c.HasDnsNames(n)));
        return result;
    }

    private static Dictionary<string, EndpointSettingsJson> Networks(IReadOnlyList<JoinedEndpoint> joined)
    {
        var result = new Dictionary<string, EndpointSettingsJson>();
        foreach (var (e, n, dnsNames) in joined) result[n.Name] = EndpointJson(e, n, dnsNames);
        return result;
    }

    public static bool IsRunning(Sandbox s) => s.State.Process is not { Pid: > 0 } p || (p.ExitCode is null && SandboxProcesses.IsAlive(p));

    /// <summary>
    /// How an ended main process ended: its code and time when the daemon saw it end; when it ended while
    /// the daemon was away (or was not its parent), 255 as Docker reports an unknown end, at the last time
    /// it wrote output.
    /// </summary>
    public static (int Code, DateTimeOffset At) ExitOf(SandboxProcessState p)
    {
        if (p.ExitCode is { } code) return (code, p.FinishedAt ?? p.StartedAt);
        var at = p.LogPath is { } log && File.Exists(log) ? new DateTimeOffset(File.GetLastWriteTimeUtc(log), TimeSpan.Zero) : p.StartedAt;
        return (255, at < p.StartedAt ? p.StartedAt : at);
    }

    /// <summary>docker ps's status column: "Up 3 minutes", "Exited (0) 5 seconds ago".</summary>
    public static string StatusText(Sandbox s, bool running, DateTimeOffset now)
    {
        if (running) return "Up " + HumanDuration.Of(now - (s.State.Process?.StartedAt ?? s.State.Created));
        var (code, at) = ExitOf(s.State.Process!);
        return string.Create(CultureInfo.InvariantCulture, $"Exited ({code}) {HumanDuration.Of(now - at)} ago");
    }

    public static ContainerSummaryJson Summary(Sandbox s, NetworkController c)
    {
        var joined = Joined(s, c);
        var endpoints = joined.Select(j => j.Endpoint).ToList();
        bool running = IsRunning(s);
        return new ContainerSummaryJson
        {
            Id = s.Id,
            Names = ["/" + s.Name],
            Command = s.State.Process is { } p ? string.Join(' ', p.Command) : "",
            Created = s.State.Created.ToUnixTimeSeconds(),
            Ports = Ports(endpoints),
            Labels = new Dictionary<string, string>(s.State.Labels),
            State = running ? "running" : "exited",
            Status = StatusText(s, running, DateTimeOffset.UtcNow),
            HostConfig = new HostConfigSummaryJson { NetworkMode = NetworkMode(s.IsHostNamespace, joined) },
            NetworkSettings = new NetworkSettingsSummaryJson { Networks = Networks(joined) },
        };
    }

    /// <summary>Published ports with their host side, then ports only exposed (as `docker ps` lists "80/tcp").</summary>
    private static List<PortJson> Ports(IReadOnlyList<EndpointState> endpoints)
    {
        var published = endpoints.SelectMany(e => e.PortBindings).Select(b => new PortJson
        {
            IP = b.HostIP?.ToString() ?? "0.0.0.0",
            PrivatePort = b.ContainerPort,
            PublicPort = b.HostPort,
            Type = b.ProtocolName,
        }).ToList();
        foreach (var exposed in endpoints.SelectMany(e => e.ExposedPorts).Distinct())
        {
            var slash = exposed.IndexOf('/', StringComparison.Ordinal);
            if (slash <= 0 || !int.TryParse(exposed[..slash], CultureInfo.InvariantCulture, out var port)) continue;
            var type = exposed[(slash + 1)..];
            if (!published.Exists(p => p.PrivatePort == port && p.Type == type))
                published.Add(new PortJson { PrivatePort = port, Type = type });
        }
        return published;
    }

    public static ContainerInspectJson Inspect(Sandbox s, NetworkController c) =>
        Inspect(s.State, s.IsHostNamespace, Joined(s, c), c.Files, IsRunning(s));

    /// <summary>
    /// docker inspect's container, from the sandbox's records alone (no kernel, no controller): what the golden
    /// tests feed with fixed inputs. <paramref name="joined"/> is in join order; the first is the primary network.
    /// </summary>
    public static ContainerInspectJson Inspect(SandboxState state, bool isHostNamespace, IReadOnlyList<JoinedEndpoint> joined, SandboxFiles files, bool running)
    {
        var endpoints = joined.Select(j => j.Endpoint).ToList();
        var firstJson = joined.Count == 0 ? null : EndpointJson(joined[0].Endpoint, joined[0].Network, joined[0].DnsNames);
        var exit = running || state.Process is null ? ((int Code, DateTimeOffset At)?)null : ExitOf(state.Process);
        var ports = new Dictionary<string, List<PortBindingJson>?>();
        foreach (var e in endpoints)
        {
            foreach (var exposed in e.ExposedPorts) ports.TryAdd(exposed, null);
            foreach (var b in e.PortBindings)
            {
                var key = $"{b.ContainerPort}/{b.ProtocolName}";
                if (!ports.TryGetValue(key, out var list) || list is null) ports[key] = list = [];
                list.Add(new PortBindingJson { HostIp = b.HostIP?.ToString() ?? "0.0.0.0", HostPort = b.HostPort.ToString(CultureInfo.InvariantCulture) });
            }
        }
        return new ContainerInspectJson
        {
            Id = state.Id,
            Created = state.Created.ToString("o", CultureInfo.InvariantCulture),
            Path = state.Process is { Command.Count: > 0 } proc ? proc.Command[0] : "",
            Args = state.Process?.Command.Skip(1).ToList() ?? [],
            State = new ContainerStateJson
            {
                Status = running ? "running" : "exited",
                Running = running,
                Pid = running ? state.Process?.Pid ?? state.Pid ?? 0 : 0,
                ExitCode = exit?.Code ?? 0,
                StartedAt = (state.Process?.StartedAt ?? state.Created).ToString("o", CultureInfo.InvariantCulture),
                FinishedAt = exit is { At: var finished } ? finished.ToString("o", CultureInfo.InvariantCulture) : "0001-01-01T00:00:00Z",
            },
            ResolvConfPath = files.ResolvConfPath(state.Id),
            HostnamePath = files.HostnamePath(state.Id),
            HostsPath = files.HostsPath(state.Id),
            LogPath = state.Process?.LogPath ?? "",
            Name = "/" + state.Name,
            HostConfig = new HostConfigJson
            {
                NetworkMode = NetworkMode(isHostNamespace, joined),
                // Docker's form: /target:/linker/alias.
                Links = state.Links.Count == 0 ? null : state.Links.Select(l => $"/{l.Target}:/{state.Name}/{l.Alias}").ToList(),
                Dns = state.DnsServers.ToList(),
                DnsSearch = state.DnsSearch.ToList(),
                DnsOptions = state.DnsOptions.ToList(),
                ExtraHosts = state.ExtraHosts.Count == 0 ? null : state.ExtraHosts.ToList(),
                CapAdd = state.CapAdd.Count == 0 ? null : state.CapAdd.ToList(),
                CapDrop = state.CapDrop.Count == 0 ? null : state.CapDrop.ToList(),
                Privileged = state.Privileged,
                PortBindings = ports.Where(kv => kv.Value is not null).ToDictionary(kv => kv.Key, kv => kv.Value!),
            },
            Config = new ContainerConfigJson
            {
                Hostname = SandboxFiles.HostnameOf(state),
                Env = state.Process?.Environment.ToList() ?? [],
                Cmd = state.Process?.Command.ToList(),
                Labels = new Dictionary<string, string>(state.Labels),
                ExposedPorts = endpoints.SelectMany(e => e.ExposedPorts).Distinct().ToDictionary(p => p, object (_) => new Dictionary<string, string>()),
            },
            NetworkSettings = new NetworkSettingsJson
            {
                SandboxID = state.Id,
                SandboxKey = state.NamespacePath,
                Ports = ports,
                EndpointID = firstJson?.EndpointID ?? "",
                Gateway = firstJson?.Gateway ?? "",
                IPAddress = firstJson?.IPAddress ?? "",
                IPPrefixLen = firstJson?.IPPrefixLen ?? 0,
                IPv6Gateway = firstJson?.IPv6Gateway ?? "",
                GlobalIPv6Address = firstJson?.GlobalIPv6Address ?? "",
                GlobalIPv6PrefixLen = firstJson?.GlobalIPv6PrefixLen ?? 0,
                MacAddress = firstJson?.MacAddress ?? "",
                Networks = Networks(joined),
            },
        };
    }

    private static string NetworkMode(bool isHostNamespace, IReadOnlyList<JoinedEndpoint> joined) =>
        isHostNamespace ? "host" : joined.Count == 0 ? "none" : joined[0].Network.Name;
}

/// <summary>One of a sandbox's endpoints with the network it is on.</summary>
/// <summary>A joined endpoint with its network, and whether the network's driver gives its endpoints embedded DNS names.</summary>
internal readonly record struct JoinedEndpoint(EndpointState Endpoint, NetworkState Network, bool DnsNames = true);
