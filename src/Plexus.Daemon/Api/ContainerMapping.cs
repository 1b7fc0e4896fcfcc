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

    private static Dictionary<string, EndpointSettingsJson> Networks(Sandbox s, NetworkController c)
    {
        var result = new Dictionary<string, EndpointSettingsJson>();
        foreach (var e in c.EndpointsOf(s))
        {
            var n = c.Networks.FirstOrDefault(x => x.Id == e.NetworkId);
            if (n is not null) result[n.Name] = EndpointJson(e, n, c.HasDnsNames(n));
        }
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

    public static bool ProcessAlive(int pid) => Directory.Exists($"/proc/{pid}") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);

    public static ContainerSummaryJson Summary(Sandbox s, NetworkController c)
    {
        var endpoints = c.EndpointsOf(s);
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
            HostConfig = new HostConfigSummaryJson { NetworkMode = NetworkMode(s, c) },
            NetworkSettings = new NetworkSettingsSummaryJson { Networks = Networks(s, c) },
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

    public static ContainerInspectJson Inspect(Sandbox s, NetworkController c)
    {
        var endpoints = c.EndpointsOf(s);
        var first = endpoints.Count > 0 ? endpoints[0] : null;
        var firstNet = first is null ? null : c.Networks.FirstOrDefault(n => n.Id == first.NetworkId);
        var firstJson = first is null || firstNet is null ? null : EndpointJson(first, firstNet, c.HasDnsNames(firstNet));
        bool running = IsRunning(s);
        var exit = running || s.State.Process is null ? ((int Code, DateTimeOffset At)?)null : ExitOf(s.State.Process);
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
        var files = c.Files;
        return new ContainerInspectJson
        {
            Id = s.Id,
            Created = s.State.Created.ToString("o", CultureInfo.InvariantCulture),
            Path = s.State.Process is { Command.Count: > 0 } proc ? proc.Command[0] : "",
            Args = s.State.Process?.Command.Skip(1).ToList() ?? [],
            State = new ContainerStateJson
            {
                Status = running ? "running" : "exited",
                Running = running,
                Pid = running ? s.State.Process?.Pid ?? s.State.Pid ?? 0 : 0,
                ExitCode = exit?.Code ?? 0,
                StartedAt = (s.State.Process?.StartedAt ?? s.State.Created).ToString("o", CultureInfo.InvariantCulture),
                FinishedAt = exit is { At: var finished } ? finished.ToString("o", CultureInfo.InvariantCulture) : "0001-01-01T00:00:00Z",
            },
            ResolvConfPath = files.ResolvConfPath(s.Id),
            HostnamePath = files.HostnamePath(s.Id),
            HostsPath = files.HostsPath(s.Id),
            LogPath = s.State.Process?.LogPath ?? "",
            Name = "/" + s.Name,
            HostConfig = new HostConfigJson
            {
                NetworkMode = NetworkMode(s, c),
                // Docker's form: /target:/linker/alias.
                Links = s.State.Links.Count == 0 ? null : s.State.Links.Select(l => $"/{l.Target}:/{s.Name}/{l.Alias}").ToList(),
                Dns = s.State.DnsServers.ToList(),
                DnsSearch = s.State.DnsSearch.ToList(),
                DnsOptions = s.State.DnsOptions.ToList(),
                ExtraHosts = s.State.ExtraHosts.Count == 0 ? null : s.State.ExtraHosts.ToList(),
                CapAdd = s.State.CapAdd.Count == 0 ? null : s.State.CapAdd.ToList(),
                CapDrop = s.State.CapDrop.Count == 0 ? null : s.State.CapDrop.ToList(),
                Privileged = s.State.Privileged,
                PortBindings = ports.Where(kv => kv.Value is not null).ToDictionary(kv => kv.Key, kv => kv.Value!),
            },
            Config = new ContainerConfigJson
            {
                Hostname = SandboxFiles.HostnameOf(s.State),
                Env = s.State.Process?.Environment.ToList() ?? [],
                Cmd = s.State.Process?.Command.ToList(),
                Labels = new Dictionary<string, string>(s.State.Labels),
                ExposedPorts = endpoints.SelectMany(e => e.ExposedPorts).Distinct().ToDictionary(p => p, object (_) => new Dictionary<string, string>()),
            },
            NetworkSettings = new NetworkSettingsJson
            {
                SandboxID = s.Id,
                SandboxKey = s.State.NamespacePath,
                Ports = ports,
                EndpointID = firstJson?.EndpointID ?? "",
                Gateway = firstJson?.Gateway ?? "",
                IPAddress = firstJson?.IPAddress ?? "",
                IPPrefixLen = firstJson?.IPPrefixLen ?? 0,
                IPv6Gateway = firstJson?.IPv6Gateway ?? "",
                GlobalIPv6Address = firstJson?.GlobalIPv6Address ?? "",
                GlobalIPv6PrefixLen = firstJson?.GlobalIPv6PrefixLen ?? 0,
                MacAddress = firstJson?.MacAddress ?? "",
                Networks = Networks(s, c),
            },
        };
    }

    private static string NetworkMode(Sandbox s, NetworkController c)
    {
        if (s.IsHostNamespace) return "host";
        var joined = c.EndpointsOf(s);
        var first = joined.Count > 0 ? joined[0] : null;
        return first is null ? "none" : c.Networks.FirstOrDefault(n => n.Id == first.NetworkId)?.Name ?? "default";
    }
}
