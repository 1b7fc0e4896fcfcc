using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Net;

namespace Plexus.Engine.Dns;

/// <summary>One sandbox's record on one network: the addresses its endpoint has there.</summary>
internal sealed record NameEntry(string EndpointId, string SandboxName, IPAddress? V4, IPAddress? V6);

/// <summary>
/// The names of one network: every joined endpoint under its sandbox's name, short id and aliases, and
/// its addresses for reverse lookups. Readers take no lock; writers (joins and leaves, serialised by the
/// controller per network) swap small immutable arrays, so a change is visible to the next query.
/// </summary>
internal sealed class NetworkZone(string id, string name, bool isInternal, IReadOnlyList<IPNetwork> subnets)
{
    private readonly ConcurrentDictionary<string, ImmutableArray<NameEntry>> _byName = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<IPAddress, NameEntry> _byAddress = new();

    public string Id { get; } = id;

    /// <summary>Lower-case, for "name.network" questions and PTR answers.</summary>
    public string Name { get; } = name.ToLowerInvariant();

    public bool IsInternal { get; } = isInternal;

    public IReadOnlyList<IPNetwork> Subnets { get; } = subnets;

    public void Add(NameEntry entry, IEnumerable<string> names)
    {
        foreach (var n in names)
            _byName.AddOrUpdate(n, static (_, e) => [e], static (_, list, e) => list.Add(e), entry);
        if (entry.V4 is { } v4) _byAddress[v4] = entry;
        if (entry.V6 is { } v6) _byAddress[v6] = entry;
    }

    public void Remove(NameEntry entry, IEnumerable<string> names)
    {
        var endpointId = entry.EndpointId;
        foreach (var n in names)
        {
            while (_byName.TryGetValue(n, out var list))
            {
                var kept = list.RemoveAll(e => e.EndpointId == endpointId);
                if (kept.Length == list.Length) break;
                bool swapped = kept.IsEmpty
                    ? _byName.TryRemove(new KeyValuePair<string, ImmutableArray<NameEntry>>(n, list))
                    : _byName.TryUpdate(n, kept, list);
                if (swapped) break;
            }
        }
        foreach (var address in new[] { entry.V4, entry.V6 })
            if (address is not null && _byAddress.TryGetValue(address, out var held) && held.EndpointId == endpointId)
                _byAddress.TryRemove(new KeyValuePair<IPAddress, NameEntry>(address, held));
    }

    public ImmutableArray<NameEntry> Find(string name) => _byName.TryGetValue(name, out var list) ? list : [];

    public NameEntry? FindAddress(IPAddress address) => _byAddress.TryGetValue(address, out var e) ? e : null;

    public bool Contains(IPAddress address) => Subnets.Any(s => s.Contains(address));
}
