using System.Net;
using System.Text.Json;
using Plexus.Engine.Cluster;
using Plexus.Engine.Drivers;
using Plexus.Engine.Drivers.Overlay;
using Plexus.Engine.Model;
using Plexus.Engine.Store;
using Plexus.Kernel.Types;

namespace Plexus.Engine.Controller;

/// <summary>
/// Global networks (issue 17): their definitions live in the cluster store, shared by every host. A create writes
/// the record (its name unique cluster-wide: created only if absent), its subnets (refused when they overlap another
/// global network) and its VXLAN id (compare-and-swap); every host follows the records and keeps its own table, the
/// local store (as a cache for restarts) and IPAM in step. Joined endpoints are published under this host's lease;
/// the other hosts' endpoints are handed to the overlay driver as static FDB and neighbour entries.
/// </summary>
public sealed partial class NetworkController
{
    private IGlobalStore? _globalStore;
    private IClusterMembership? _membership;
    private GlobalIpam? _globalIpam;
    private StoreFollower? _networkFollower, _endpointFollower;
    private IDisposable? _endpointPublisher;

    /// <summary>Serialises global network creates and deletes with what the network watch adopts and drops.</summary>
    private readonly Lock _globalNetworks = new();

    /// <summary>Every endpoint record seen, by key (a delete event may come without the value).</summary>
    private readonly Dictionary<string, OverlayEndpointRecord> _endpointRecords = new(StringComparer.Ordinal);
    private bool _republished;

    /// <summary>Whether the daemon is in a cluster (global networks can be made).</summary>
    public bool IsClustered => Volatile.Read(ref _globalStore) is not null;

    /// <summary>
    /// Joins the engine to the cluster: global IPAM gets the store, and the engine starts following global networks
    /// and endpoint records. Returns at once; the store may be away (the followers keep trying).
    /// </summary>
    public void AttachCluster(IGlobalStore store, IClusterMembership membership, GlobalIpam ipam)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(membership);
        ArgumentNullException.ThrowIfNull(ipam);
        ipam.Attach(store, membership.Self.Id, RequestReconcile);
        _membership = membership;
        membership.Changed += OnMembershipChanged;
        _globalIpam = ipam;
        Volatile.Write(ref _globalStore, store);
        _endpointPublisher = Events.Follow(PublishEndpoint);
        _networkFollower = new StoreFollower(store, GlobalKeys.Networks, SyncNetworks, ApplyNetworkChange, Logger);
        _endpointFollower = new StoreFollower(store, GlobalKeys.Endpoints, SyncEndpoints, ApplyEndpointChange, Logger);
    }

    /// <summary>Stops following the cluster store (before the store and membership are disposed).</summary>
    public void DetachCluster()
    {
        if (_membership is { } membership) membership.Changed -= OnMembershipChanged;
        _endpointPublisher?.Dispose();
        _networkFollower?.Dispose();
        _endpointFollower?.Dispose();
    }

    private OverlayDriver? Overlay => _drivers.Values.OfType<OverlayDriver>().FirstOrDefault();

    private static PlexusException NoClusterStore(string driver) => PlexusException.Invalid(
        $"network driver \"{driver}\" makes global networks, which need a cluster store: start plexusd with --cluster-store etcd://HOST:2379 and --cluster-advertise ADDRESS");

    private NetworkState CreateGlobalNetwork(NetworkCreateRequest request, INetworkDriver driver)
    {
        if (Volatile.Read(ref _globalStore) is not { } store || _globalIpam is not { } globalIpam) throw NoClusterStore(driver.Name);
        uint requestedVni = RequestedVni(request.Options);
        lock (_globalNetworks)
        {
            ReserveName(_reservedNetworkNames, request.Name!, _networks.Values.Select(n => n.Name), "network");
            var options = request.Options.Where(o => o.Key != OverlayOptions.VxlanId).ToDictionary(StringComparer.Ordinal);
            var (state, allocatable) = NewNetworkState(request, driver, options);
            bool ipamAdded = false, poolsAdded = false, recorded = false, stored = false;
            uint vni = 0;
            try
            {
                driver.ValidateNetwork(state);
                state = state with { Subnets = AddGlobalSubnets(state, allocatable, globalIpam) };
                ipamAdded = poolsAdded = true;
                vni = requestedVni != 0 ? ClaimVni(store, requestedVni, state.Id) : AllocateVni(store, state.Id);
                options[OverlayOptions.VxlanId] = vni.ToString(System.Globalization.CultureInfo.InvariantCulture);
                state = state with { Options = options };
                var created = store.Put(GlobalKeys.Network(state.Name), JsonSerializer.Serialize(state, StoreJsonContext.Default.NetworkState), StoreRevisions.Absent);
                if (!created.Succeeded) throw PlexusException.Conflict($"network with name {state.Name} already exists (made on another host of the cluster)");
                recorded = true;
                _store.Commit(new StoreBatch().Put(state));
                stored = true;
                state = state with { DriverState = driver.CreateNetwork(state) };
                _networks[state.Id] = state;
            }
            catch (Exception e)
            {
                if (stored) TryUndo(() => _store.Commit(new StoreBatch().DeleteNetwork(state.Id)));
                if (recorded) TryUndoGlobal(() => store.Delete(GlobalKeys.Network(state.Name)));
                if (vni != 0) TryUndoGlobal(() => store.Delete(GlobalKeys.Vni(vni)));
                if (poolsAdded) TryUndoGlobal(() => globalIpam.RemovePools(state.Id));
                if (ipamAdded) TryUndo(() => _ipam.RemoveNetwork(state.Id));
                throw Wrap(e, $"create network {request.Name}");
            }
            finally
            {
                lock (_names) _reservedNetworkNames.Remove(request.Name!);
            }
            Events.Publish(ControllerEvent.NetworkCreated(state));
            return state;
        }
    }

    /// <summary>Deletes a global network everywhere: refused while it has endpoints on this host or any other.</summary>
    private void DeleteGlobalNetwork(NetworkState network)
    {
        if (Volatile.Read(ref _globalStore) is not { } store || _globalIpam is not { } globalIpam) throw NoClusterStore(network.Driver);
        lock (_globalNetworks)
        {
            using var held = _locks.Acquire(network.Id);
            if (!_networks.ContainsKey(network.Id)) throw PlexusException.NotFound($"network {network.Name} not found");
            var subject = $"error while removing network: network {network.Name} id {network.Id}";
            var local = EndpointsOf(network);
            if (local.Count > 0) throw new PlexusException(ErrorKind.Forbidden, $"{subject} has active endpoints ({string.Join(", ", local.Select(e => e.Name))})");
            try
            {
                var remote = store.List(GlobalKeys.EndpointsOf(network.Id)).Entries.Select(e => ParseRecord(e.Value)?.Name ?? e.Key).ToList();
                if (remote.Count > 0)
                    throw new PlexusException(ErrorKind.Forbidden, $"{subject} has active endpoints on other hosts ({string.Join(", ", remote)})");
                if (store.Get(GlobalKeys.Network(network.Name)) is { } record && IdOf(record.Value) == network.Id)
                    store.Delete(record.Key, record.ModRevision);
                if (OverlayOptions.Parse(network).Vni is var vni and not 0) store.Delete(GlobalKeys.Vni(vni));
                globalIpam.RemovePools(network.Id);
            }
            catch (Exception e)
            {
                throw Wrap(e, $"delete network {network.Name}");
            }
            RemoveNetworkLocked(network, subject);
        }
    }

    /// <summary>After a (re)list of /networks/: this host's global networks become exactly the listed ones (those with local endpoints stay).</summary>
    private void SyncNetworks(IReadOnlyList<KeyValue> entries)
    {
        var listed = entries.Select(e => ParseNetwork(e.Value)).OfType<NetworkState>().ToList();
        lock (_globalNetworks)
        {
            foreach (var network in listed) Adopt(network);
            var ids = listed.Select(n => n.Id).ToHashSet(StringComparer.Ordinal);
            foreach (var gone in _networks.Values.Where(n => n.Scope == DataScope.Global && !ids.Contains(n.Id)).ToList()) Drop(gone);
        }
    }

    private void ApplyNetworkChange(WatchEvent change)
    {
        lock (_globalNetworks)
        {
            if (change.Kind == WatchEventKind.Put)
            {
                if (ParseNetwork(change.Entry.Value) is { } network) Adopt(network);
                return;
            }
            var name = change.Entry.Key[GlobalKeys.Networks.Length..];
            if (_networks.Values.FirstOrDefault(n => n.Scope == DataScope.Global && n.Name == name) is { } local) Drop(local);
        }
    }

    /// <summary>A global network another host made: into IPAM (no addresses held here yet), the local store and the table.</summary>
    private void Adopt(NetworkState network)
    {
        if (_networks.ContainsKey(network.Id)) return;
        if (!_drivers.TryGetValue(network.Driver, out var driver))
        {
            ClusterLog.AdoptFailed(Logger, network.Name, $"its driver '{network.Driver}' is not available on this host");
            return;
        }
        if (_networks.Values.Any(n => n.Name == network.Name))
        {
            ClusterLog.AdoptFailed(Logger, network.Name, "a network of this name exists on this host; the global one is not shown here");
            return;
        }
        try
        {
            _ipam.RestoreNetwork(network.Id, network.Name, network.Subnets, network.IpamOptions, [], network.IpamDriver, DataScope.Global);
            _store.Commit(new StoreBatch().Put(network));
            driver.RestoreNetwork(network);
        }
        catch (Exception e) when (e is PlexusException or Kernel.KernelException or IOException or InvalidOperationException)
        {
            TryUndo(() => _ipam.RemoveNetwork(network.Id));
            ClusterLog.AdoptFailed(Logger, network.Name, e.Message);
            return;
        }
        _networks[network.Id] = network;
        ClusterLog.GlobalNetworkSynced(Logger, network.Name, network.Id, "added");
        Events.Publish(ControllerEvent.NetworkCreated(network));
        lock (_endpointRecords)
            foreach (var record in _endpointRecords.Values.Where(r => r.Network == network.Id && r.Host != _membership?.Self.Id))
            {
                PublishNames(record);
                HoldRemoteAddress(record);
            }
    }

    /// <summary>A global network deleted elsewhere: gone from this host too, unless endpoints here still use it.</summary>
    private void Drop(NetworkState network)
    {
        using var held = _locks.Acquire(network.Id);
        if (!_networks.ContainsKey(network.Id)) return;
        try
        {
            RemoveNetworkLocked(network, $"global network {network.Name}");
            ClusterLog.GlobalNetworkSynced(Logger, network.Name, network.Id, "removed");
        }
        catch (PlexusException e)
        {
            ClusterLog.AdoptFailed(Logger, network.Name, $"removed from the cluster store but kept here: {e.Message}");
        }
    }

    /// <summary>Publishes joins and leaves of global networks' endpoints under this host's lease (a follower of the events: after the change committed).</summary>
    private void PublishEndpoint(ControllerEvent change)
    {
        if (change.Network is not { Scope: DataScope.Global } network || change.Endpoint is not { } endpoint || _membership is not { } membership) return;
        var key = GlobalKeys.Endpoint(network.Id, endpoint.Id);
        try
        {
            if (change.Kind == ControllerEventKind.Connected) membership.PutOwned(key, RecordOf(network, endpoint, change.Sandbox, membership));
            else if (change.Kind == ControllerEventKind.Disconnected) membership.DeleteOwned(key);
        }
        catch (Exception e) when (e is GlobalStoreUnavailableException or PlexusException or InvalidOperationException)
        {
            ClusterLog.EndpointRecordFailed(Logger, key, e.Message);
            RequestReconcile(); // put right by the relist once the store answers (ReconcileOwnState)
        }
    }

    private static string RecordOf(NetworkState network, EndpointState endpoint, SandboxState? sandbox, IClusterMembership membership) =>
        JsonSerializer.Serialize(new OverlayEndpointRecord
        {
            Network = network.Id,
            Endpoint = endpoint.Id,
            Name = sandbox?.Name ?? endpoint.Name,
            Names = sandbox is null ? [endpoint.Name, .. endpoint.Aliases] : [sandbox.Name, Ids.Short(sandbox.Id), .. endpoint.Aliases],
            IPv4 = endpoint.IPv4?.Address.ToString(),
            Mac = endpoint.Mac?.ToString() ?? "",
            Host = membership.Self.Id,
            Vtep = membership.Self.Vtep.ToString(),
        }, ClusterJsonContext.Default.OverlayEndpointRecord);

    /// <summary>
    /// After a (re)list of /overlay/endpoints/: remote endpoints become exactly the listed ones, and this host's joined
    /// endpoints of global networks are written again where missing (all of them once after a start: the records of a
    /// previous run belong to its lease, which expires).
    /// </summary>
    private void SyncEndpoints(IReadOnlyList<KeyValue> entries)
    {
        var listed = new Dictionary<string, OverlayEndpointRecord>(StringComparer.Ordinal);
        foreach (var entry in entries)
            if (ParseRecord(entry.Value) is { } record) listed[entry.Key] = record;
        lock (_endpointRecords)
        {
            foreach (var (key, old) in _endpointRecords.ToList())
                if (!listed.ContainsKey(key)) Forget(key, old);
            foreach (var (key, record) in listed) Remember(key, record);
        }
        ReconcileOwnState(listed);
    }

    private void ApplyEndpointChange(WatchEvent change)
    {
        lock (_endpointRecords)
        {
            if (change.Kind == WatchEventKind.Put)
            {
                if (ParseRecord(change.Entry.Value) is { } record) Remember(change.Entry.Key, record);
            }
            else if (_endpointRecords.TryGetValue(change.Entry.Key, out var old))
            {
                Forget(change.Entry.Key, old);
            }
        }
    }

    private void Remember(string key, OverlayEndpointRecord record)
    {
        if (_endpointRecords.TryGetValue(key, out var old) && old != record)
        {
            WithdrawNames(old);
            if (old.IPv4 != record.IPv4) LetGoRemoteAddress(old);
        }
        _endpointRecords[key] = record;
        if (_membership is { } membership && record.Host == membership.Self.Id) return;
        if (PeerOf(record) is { } peer) Overlay?.SetPeer(peer);
        PublishNames(record);
        HoldRemoteAddress(record);
    }

    /// <summary>
    /// A remote endpoint's address is taken in this host's pool (<see cref="GlobalIpam.NoteHeldElsewhere"/>), once its
    /// network is known here: this host's next allocation does not try it, where each try is a failed claim in etcd.
    /// </summary>
    private void HoldRemoteAddress(OverlayEndpointRecord record)
    {
        if (AddressOf(record) is { } address && _networks.ContainsKey(record.Network)) _globalIpam?.NoteHeldElsewhere(record.Network, address);
    }

    private void LetGoRemoteAddress(OverlayEndpointRecord record)
    {
        if (AddressOf(record) is { } address) _globalIpam?.ForgetHeldElsewhere(record.Network, address);
    }

    /// <summary>A remote endpoint's names in the resolver, once its network is known here (<see cref="Adopt"/> publishes those that came first).</summary>
    private void PublishNames(OverlayEndpointRecord record)
    {
        if (!_networks.TryGetValue(record.Network, out var network)) return;
        _dns.Registry.PublishRemote(network, record.Endpoint, record.Name, AddressOf(record), record.Names);
    }

    private void WithdrawNames(OverlayEndpointRecord record) =>
        _dns.Registry.WithdrawRemote(record.Network, record.Endpoint, record.Name, AddressOf(record), record.Names);

    private static IPAddress? AddressOf(OverlayEndpointRecord record) => record.IPv4 is { } ip && IPAddress.TryParse(ip, out var a) ? a : null;

    private void Forget(string key, OverlayEndpointRecord record)
    {
        _endpointRecords.Remove(key);
        if (_membership is { } membership && record.Host == membership.Self.Id) return;
        Overlay?.RemovePeer(record.Network, record.Endpoint);
        WithdrawNames(record);
        LetGoRemoteAddress(record);
        // A dead host's address goes back to the pool (only if that host is gone and still holds it).
        if (record.IPv4 is { } ip && IPAddress.TryParse(ip, out var address))
        {
            try
            {
                _globalIpam?.ReleaseForeign(record.Network, address, record.Host);
            }
            catch (GlobalStoreUnavailableException e)
            {
                ClusterLog.EndpointRecordFailed(Logger, key, e.Message);
            }
        }
    }

    private static OverlayPeer? PeerOf(OverlayEndpointRecord record) =>
        MacAddress.TryParse(record.Mac, out var mac) && IPAddress.TryParse(record.Vtep, out var vtep)
            ? new OverlayPeer(record.Network, record.Endpoint, record.IPv4 is { } ip && IPAddress.TryParse(ip, out var a) ? a : null, mac, vtep)
            : null;

    private static OverlayEndpointRecord? ParseRecord(string value)
    {
        try
        {
            return JsonSerializer.Deserialize(value, ClusterJsonContext.Default.OverlayEndpointRecord);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static NetworkState? ParseNetwork(string value)
    {
        try
        {
            return JsonSerializer.Deserialize(value, StoreJsonContext.Default.NetworkState) is { Scope: DataScope.Global } network ? network with { Pending = false } : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? IdOf(string value) => ParseNetwork(value)?.Id;

    /// <summary>A rollback step on the cluster store: its failure is logged, not thrown over the error that caused the rollback.</summary>
    private void TryUndoGlobal(Action undo, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(undo))] string step = "")
    {
        try
        {
            undo();
        }
        catch (Exception e) when (e is GlobalStoreUnavailableException or PlexusException)
        {
            EngineLog.UndoFailed(Logger, step, e);
        }
    }
}
