using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Plexus.Engine.Model;

namespace Plexus.Engine.Dns;

/// <summary>
/// Who is called what, as each sandbox sees it: sandboxes answer to their name, short id and network
/// aliases on the networks they share with the one asking, and to the aliases of its own links. The
/// controller publishes every join and withdraws every leave as it commits them, so answers follow at once.
/// Queries read without locks (see <see cref="NetworkZone"/>).
/// </summary>
public sealed class DnsRegistry
{
    private readonly ConcurrentDictionary<string, NetworkZone> _zones = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SandboxView> _views = new(StringComparer.Ordinal);

    /// <summary>Makes the endpoint's sandbox known on the network, and the network visible to the sandbox.</summary>
    public void Publish(NetworkState network, EndpointState endpoint, SandboxState sandbox)
    {
        var zone = ZoneOf(network);
        zone.Add(EntryOf(endpoint, sandbox), NamesOf(endpoint, sandbox));
        var view = _views.GetOrAdd(sandbox.Id, _ => new SandboxView());
        lock (view) view.Zones = [.. view.Zones.Where(z => z.Id != zone.Id), zone];
    }

    private NetworkZone ZoneOf(NetworkState network) => _zones.GetOrAdd(network.Id, _ => new NetworkZone(network.Id, network.Name, network.Internal,
        network.Subnets.Select(s => s.Subnet).ToList()));

    /// <summary>
    /// An endpoint on another host of a global network (from its record in the cluster store): its names answer in the
    /// network's zone for this host's sandboxes on it. <paramref name="names"/> as that host published them.
    /// </summary>
    public void PublishRemote(NetworkState network, string endpointId, string sandboxName, IPAddress? v4, IEnumerable<string> names) =>
        ZoneOf(network).Add(new NameEntry(endpointId, sandboxName, v4, null), Lower(names));

    /// <summary>Undoes <see cref="PublishRemote"/>.</summary>
    public void WithdrawRemote(string networkId, string endpointId, string sandboxName, IPAddress? v4, IEnumerable<string> names)
    {
        if (_zones.TryGetValue(networkId, out var zone)) zone.Remove(new NameEntry(endpointId, sandboxName, v4, null), Lower(names));
    }

    private static IEnumerable<string> Lower(IEnumerable<string> names) => names.Select(n => n.ToLowerInvariant()).Distinct(StringComparer.Ordinal);

    /// <summary>Undoes <see cref="Publish"/> for an endpoint that left its sandbox.</summary>
    public void Withdraw(NetworkState network, EndpointState endpoint, SandboxState sandbox)
    {
        if (_zones.TryGetValue(network.Id, out var zone)) zone.Remove(EntryOf(endpoint, sandbox), NamesOf(endpoint, sandbox));
        if (_views.TryGetValue(sandbox.Id, out var view))
            lock (view) view.Zones = [.. view.Zones.Where(z => z.Id != network.Id)];
    }

    /// <summary>Sets how the sandbox's resolver handles names that are not Plexus's.</summary>
    public void Configure(string sandboxId, ResolverConfig config) =>
        _views.GetOrAdd(sandboxId, _ => new SandboxView()).Config = config;

    public ResolverConfig ConfigOf(string sandboxId) =>
        _views.TryGetValue(sandboxId, out var view) ? view.Config : new ResolverConfig();

    public void RemoveSandbox(string sandboxId) => _views.TryRemove(sandboxId, out _);

    public void RemoveNetwork(string networkId) => _zones.TryRemove(networkId, out _);

    /// <summary>True while the sandbox is on at least one network whose names it can ask for.</summary>
    public bool HasNetworks(string sandboxId) => _views.TryGetValue(sandboxId, out var view) && view.Zones.Length > 0;

    /// <summary>
    /// Answers a question from a sandbox. Local when the name is a sandbox, alias or link alias on the
    /// sandbox's networks (NOERROR, maybe without records of the type asked), when it is a single label or
    /// "something.network" for one of them (NXDOMAIN), or a reverse name inside their subnets; anything
    /// else is <see cref="NameLookup.Foreign"/>, for upstream.
    /// </summary>
    public NameLookup Lookup(string sandboxId, string name, ushort type)
    {
        if (!_views.TryGetValue(sandboxId, out var view)) return NameLookup.Foreign;
        var zones = view.Zones;
        if (zones.Length == 0) return NameLookup.Foreign;
        if (type == DnsType.Ptr && DnsNames.TryParseReverse(name, out var address)) return Reverse(zones, address);

        var entries = new List<NameEntry>();
        foreach (var zone in zones) entries.AddRange(zone.Find(name));
        bool qualified = false;
        if (entries.Count == 0)
        {
            // "web.mynet": web on network mynet only.
            foreach (var zone in zones)
            {
                if (name.Length <= zone.Name.Length + 1 || !name.EndsWith(zone.Name, StringComparison.Ordinal)
                    || name[^(zone.Name.Length + 1)] != '.')
                    continue;
                qualified = true;
                entries.AddRange(zone.Find(name[..^(zone.Name.Length + 1)]));
            }
        }
        if (entries.Count == 0)
        {
            foreach (var link in view.Config.Links)
            {
                if (!string.Equals(link.Alias, name, StringComparison.OrdinalIgnoreCase)) continue;
                var target = link.Target.ToLowerInvariant();
                foreach (var zone in zones)
                    entries.AddRange(zone.Find(target).Where(e => string.Equals(e.SandboxName, link.Target, StringComparison.Ordinal)));
            }
        }
        if (entries.Count == 0)
            return qualified || !name.Contains('.', StringComparison.Ordinal) ? NameLookup.NxDomain : NameLookup.Foreign;

        var addresses = new List<IPAddress>(entries.Count);
        foreach (var e in entries)
        {
            if (type is DnsType.A or DnsType.Any && e.V4 is { } v4 && !addresses.Contains(v4)) addresses.Add(v4);
            if (type is DnsType.Aaaa or DnsType.Any && e.V6 is { } v6 && !addresses.Contains(v6)) addresses.Add(v6);
        }
        return new NameLookup { IsLocal = true, Rcode = DnsRcode.NoError, Addresses = addresses };
    }

    private static NameLookup Reverse(NetworkZone[] zones, IPAddress address)
    {
        var names = new List<string>();
        bool inside = false;
        foreach (var zone in zones)
        {
            if (zone.FindAddress(address) is { } e) names.Add($"{e.SandboxName.ToLowerInvariant()}.{zone.Name}");
            inside |= zone.Contains(address);
        }
        if (names.Count > 0) return new NameLookup { IsLocal = true, Rcode = DnsRcode.NoError, PtrNames = names };
        return inside ? NameLookup.NxDomain : NameLookup.Foreign;
    }

    private static NameEntry EntryOf(EndpointState endpoint, SandboxState sandbox) =>
        new(endpoint.Id, sandbox.Name, endpoint.IPv4?.Address, endpoint.IPv6?.Address);

    /// <summary>The sandbox's name, its short id (as Docker), and the endpoint's aliases, lower-case.</summary>
    private static IEnumerable<string> NamesOf(EndpointState endpoint, SandboxState sandbox) =>
        new[] { sandbox.Name, Ids.Short(sandbox.Id) }.Concat(endpoint.Aliases)
            .Select(n => n.ToLowerInvariant()).Distinct(StringComparer.Ordinal);

    private sealed class SandboxView
    {
        public volatile NetworkZone[] Zones = [];
        public volatile ResolverConfig Config = new();
    }
}
