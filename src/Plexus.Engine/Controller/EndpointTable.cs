using System.Collections.Concurrent;
using System.Collections.Immutable;
using Plexus.Engine.Model;

namespace Plexus.Engine.Controller;

/// <summary>
/// The controller's endpoints, indexed by sandbox and by network, so an attach looks at the endpoints of
/// its sandbox and network only: with a thousand sandboxes on a network, a join must not scan them all.
/// Readers take no lock; writers (already serialised per network and sandbox by the controller) update
/// the record and both indexes under one short lock, so readers never see an index without its record.
/// </summary>
internal sealed class EndpointTable
{
    private readonly ConcurrentDictionary<string, EndpointState> _all = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ImmutableDictionary<string, EndpointState>> _bySandbox = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ImmutableDictionary<string, EndpointState>> _byNetwork = new(StringComparer.Ordinal);

    /// <summary>Endpoint ids by network and name: a new endpoint's name is checked without a walk of the network.</summary>
    private readonly ConcurrentDictionary<(string Network, string Name), string> _byName = new();
    /// <summary>Names of endpoints being made (joins on one network run side by side): taken, though not yet indexed.</summary>
    private readonly HashSet<(string Network, string Name)> _reserved = [];
    private readonly Lock _write = new();

    public EndpointState this[string id]
    {
        get => _all[id];
        set => Set(value);
    }

    public ICollection<EndpointState> Values => _all.Values;

    public bool ContainsKey(string id) => _all.ContainsKey(id);

    public bool TryGetValue(string id, out EndpointState endpoint) => _all.TryGetValue(id, out endpoint!);

    public IEnumerable<EndpointState> OfSandbox(string sandboxId) =>
        _bySandbox.TryGetValue(sandboxId, out var d) ? d.Values : [];

    public IEnumerable<EndpointState> OfNetwork(string networkId) =>
        _byNetwork.TryGetValue(networkId, out var d) ? d.Values : [];

    /// <summary>Whether the network has an endpoint of that name.</summary>
    public bool HasName(string networkId, string name) => _byName.ContainsKey((networkId, name));

    /// <summary>
    /// Takes the name for an endpoint about to be made; false if an endpoint has it or is being made with it. The
    /// reservation ends when the endpoint is stored here, or by <see cref="ReleaseName"/> if it is never made.
    /// </summary>
    public bool TryReserveName(string networkId, string name)
    {
        lock (_write) return !_byName.ContainsKey((networkId, name)) && _reserved.Add((networkId, name));
    }

    public void ReleaseName(string networkId, string name)
    {
        lock (_write) _reserved.Remove((networkId, name));
    }

    private void Set(EndpointState endpoint)
    {
        lock (_write)
        {
            _reserved.Remove((endpoint.NetworkId, endpoint.Name));
            if (_all.TryGetValue(endpoint.Id, out var old)) Unindex(old);
            _all[endpoint.Id] = endpoint;
            Index(_byNetwork, endpoint.NetworkId, endpoint);
            if (endpoint.SandboxId is { } sandbox) Index(_bySandbox, sandbox, endpoint);
            _byName[(endpoint.NetworkId, endpoint.Name)] = endpoint.Id;
        }
    }

    public bool TryRemove(string id, out EndpointState endpoint)
    {
        lock (_write)
        {
            if (!_all.TryRemove(id, out endpoint!)) return false;
            Unindex(endpoint);
            return true;
        }
    }

    private void Unindex(EndpointState endpoint)
    {
        _byName.TryRemove(new KeyValuePair<(string, string), string>((endpoint.NetworkId, endpoint.Name), endpoint.Id));
        Unindex(_byNetwork, endpoint.NetworkId, endpoint.Id);
        if (endpoint.SandboxId is { } sandbox) Unindex(_bySandbox, sandbox, endpoint.Id);
    }

    private static void Index(ConcurrentDictionary<string, ImmutableDictionary<string, EndpointState>> index, string key, EndpointState endpoint) =>
        index[key] = (index.TryGetValue(key, out var d) ? d : ImmutableDictionary.Create<string, EndpointState>(StringComparer.Ordinal))
            .SetItem(endpoint.Id, endpoint);

    private static void Unindex(ConcurrentDictionary<string, ImmutableDictionary<string, EndpointState>> index, string key, string id)
    {
        if (!index.TryGetValue(key, out var d)) return;
        var rest = d.Remove(id);
        if (rest.IsEmpty) index.TryRemove(key, out _);
        else index[key] = rest;
    }
}
