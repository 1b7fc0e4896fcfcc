using Plexus.Engine.Drivers;
using Plexus.Engine.Model;
using Plexus.Engine.Sandboxes;
using Plexus.Engine.Store;
using Plexus.Kernel;
using Plexus.Kernel.Namespaces;
using Plexus.Kernel.ProcFs;

namespace Plexus.Engine.Controller;

public sealed partial class NetworkController
{
    /// <summary>
    /// Start-up: loads the store and reconciles it with the kernel, so that nothing the controller then reports
    /// is missing from the kernel. Half-created networks are rolled back; sandboxes whose namespace is gone
    /// are removed with their endpoints and processes; endpoints that belong to no sandbox are deleted; bridges
    /// are re-created if missing (and refused if a link that is not theirs holds their name); the firewall is
    /// re-applied, then every joined endpoint's interface is checked and rebuilt if anything is amiss, and an
    /// endpoint that cannot be rebuilt is disconnected. Links, namespaces, sandbox folders and processes of
    /// Plexus's making that nothing claims are removed. Each step commits on its own, so a crash during restore
    /// leaves a state the next restore takes up. Returns one line per repair, for the log.
    /// </summary>
    public IReadOnlyList<string> Restore()
    {
        var log = new List<string>();
        var snapshot = _store.Load();
        var cleanup = new StoreBatch();
        // Every process's namespace, read from /proc (a readlink per process: a cost that grows with the host), is needed
        // only when there are sandboxes or namespaces to check.
        var processes = snapshot.Sandboxes.Count > 0 || _namespaces.List().Any() ? ProcessTable.ByNetworkNamespace() : [];

        foreach (var network in snapshot.Networks)
        {
            if (network.Pending)
            {
                if (_drivers.TryGetValue(network.Driver, out var d)) TryUndo(() => d.DeleteNetwork(network));
                cleanup.DeleteNetwork(network.Id);
                log.Add($"rolled back network {network.Name}, whose creation was interrupted");
                continue;
            }
            _networks[network.Id] = network;
        }

        foreach (var state in snapshot.Sandboxes)
        {
            // Docker's: kept whatever became of its namespace, which Plexus never opens; Docker's Leave and
            // DeleteEndpoint remove it and what is left of its interfaces.
            if (Owners.IsDocker(state))
            {
                AddSandbox(new Sandbox(state, NetworkNamespace.OpenProcess(), isHostNamespace: false));
                continue;
            }
            if (OpenExisting(state) is { } ns)
            {
                AddSandbox(new Sandbox(state, ns, state.NamespacePath == "/proc/self/ns/net")
                {
                    MayHaveProcesses = state.Process is not null || processes.ContainsKey(ns.Identity.Inode),
                });
                continue;
            }
            cleanup.DeleteSandbox(state.Id);
            TryUndo(() => _files.Remove(state.Id));
            log.Add($"removed sandbox {state.Name}: its network namespace is gone");
            EndOrphanProcesses(state, state.NamespaceInode, processes, log);
        }

        foreach (var endpoint in snapshot.Endpoints)
        {
            _networks.TryGetValue(endpoint.NetworkId, out var network);
            string? gone = network is null ? "its network is gone"
                : endpoint.SandboxId is { } sid && !_sandboxes.ContainsKey(sid) ? "its sandbox is gone"
                : endpoint.SandboxId is null && !endpoint.Standalone ? "it belonged to no sandbox (a disconnect was interrupted)"
                : null;
            if (gone is not null)
            {
                cleanup.DeleteEndpoint(endpoint.Id);
                log.Add($"removed endpoint {endpoint.Name}{(network is null ? "" : $" on network {network.Name}")}: {gone}");
                continue;
            }
            var restored = RecordLegacyJoin(endpoint, network!);
            if (!ReferenceEquals(restored, endpoint)) cleanup.Put(restored);
            _endpoints[endpoint.Id] = restored;
            _ports.Restore(endpoint.PortBindings, PortOwner(endpoint.Name, network!));
        }
        if (!cleanup.IsEmpty) _store.Commit(cleanup);

        foreach (var network in _networks.Values)
        {
            // Docker's addresses are held by Docker's IPAM (the plugin's, or Docker's own), which keeps its own record.
            if (CapabilitiesOf(network).UsesIpam && !Owners.IsDocker(network))
            {
                var held = _endpoints.OfNetwork(network.Id)
                    .SelectMany(e => new[] { e.IPv4?.Address, e.IPv6?.Address }).OfType<System.Net.IPAddress>();
                _ipam.RestoreNetwork(network.Id, network.Name, network.Subnets, network.IpamOptions, held, network.IpamDriver, network.Scope);
            }
            try
            {
                DriverOf(network).RestoreNetwork(network);
            }
            catch (Exception e) when (e is KernelException or PlexusException)
            {
                log.Add($"could not restore network {network.Name}: {e.Message}");
            }
        }

        // The firewall first: rebuilding an interface with published ports adds them to the rules of its
        // network, which the firewall must know by then.
        ReconcileDrivers(log);
        int dropped = RestoreSandboxes(processes, log);
        if (dropped > 0) ReconcileDrivers(log); // exactly what remains: links to the disconnected are gone too

        var joined = _endpoints.Values.Where(e => e.SandboxId is not null).ToList();
        foreach (var driver in _drivers.Values)
            foreach (var removed in driver.CollectGarbage(_networks.Values.ToList(), joined))
                log.Add($"removed link {removed}, which no network or endpoint claims");
        CollectNamespaces(processes, log);
        CollectSandboxFolders(log);
        return log;
    }

    private void ReconcileDrivers(List<string> log)
    {
        var joined = _endpoints.Values.Where(e => e.SandboxId is not null).ToList();
        foreach (var driver in _drivers.Values)
        {
            try
            {
                if (driver is ILinkingDriver linking) linking.Reconcile(_networks.Values.ToList(), joined, n => LinkFlowsOf(n));
                else driver.Reconcile(_networks.Values.ToList(), joined);
            }
            catch (Exception e) when (e is KernelException or PlexusException)
            {
                log.Add($"could not re-apply the {driver.Name} driver's rules: {e.Message}");
            }
        }
    }

    /// <summary>Sandboxes whose repairs run side by side during restore (see <see cref="RestoreSandboxes"/>).</summary>
    private const int RestoreWorkers = 8;

    /// <summary>
    /// Restores every sandbox (<see cref="RestoreSandbox"/>) on a few threads at once. Sandboxes share nothing
    /// a repair changes (each has its own namespace, endpoints, resolver and files; the store, IPAM, drivers and
    /// names are safe under concurrent joins), and most of a sandbox's restore is waiting: for a namespace
    /// worker to take its work, for the kernel's answers. One at a time, those waits added up to most of a
    /// restart's time (19 s for 1000 sandboxes on a loaded machine, 1.9 s of it CPU); side by side they overlap.
    /// Dedicated threads rather than the pool: the work blocks, and the pool adds threads slowly beyond its minimum.
    /// Returns how many endpoints were disconnected.
    /// </summary>
    private int RestoreSandboxes(Dictionary<ulong, List<int>> processes, List<string> log)
    {
        var queue = new System.Collections.Concurrent.ConcurrentQueue<Sandbox>(_sandboxes.Values.OrderBy(s => s.State.Created));
        int dropped = 0;
        var lines = new List<string>[Math.Min(RestoreWorkers, queue.Count)];
        Exception? failure = null;
        void Work(object? slot)
        {
            var mine = lines[(int)slot!] = [];
            try
            {
                while (queue.TryDequeue(out var sandbox)) Interlocked.Add(ref dropped, RestoreSandbox(sandbox, processes, mine));
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref failure, e, null);
                queue.Clear(); // the others stop too: restore fails as a whole, as it did one sandbox at a time
            }
        }
        var threads = new Thread[lines.Length];
        for (int i = 1; i < threads.Length; i++)
        {
            threads[i] = new Thread(Work) { IsBackground = true, Name = "plexus-restore" };
            threads[i].Start(i);
        }
        if (threads.Length > 0) Work(0); // the calling thread is one of them
        for (int i = 1; i < threads.Length; i++) threads[i].Join();
        foreach (var part in lines) log.AddRange(part);
        if (failure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        return dropped;
    }

    /// <summary>
    /// Makes each joined endpoint's interface whole again (rebuilt from scratch if anything is missing or
    /// changed), then the default route, the resolver and the files. An endpoint that cannot be rebuilt is
    /// disconnected, so the sandbox is never reported with an address it does not have. Ends processes a
    /// previous run started in the sandbox that nothing records. Returns how many endpoints it disconnected.
    /// </summary>
    private int RestoreSandbox(Sandbox sandbox, Dictionary<ulong, List<int>> processes, List<string> log)
    {
        int dropped = 0;
        // A runtime's namespace is never entered: its interfaces, routes and names are the runtime's to restore.
        if (sandbox.RuntimeManaged) return 0;
        foreach (var endpoint in EndpointsOf(sandbox))
        {
            var network = _networks[endpoint.NetworkId];
            var driver = DriverOf(network);
            try
            {
                if (driver.IsJoined(network, endpoint, sandbox) && InterfaceIsWhole(sandbox, endpoint)) continue;
                TryUndo(() => driver.Leave(network, endpoint, sandbox));
                ClearInterfaceName(sandbox, endpoint);
                var info = driver.Join(network, endpoint, sandbox);
                var rebuilt = endpoint with { Joined = info.ToResult() };
                try
                {
                    int? index = MoveIntoSandbox(sandbox, rebuilt, info) ?? info.InterfaceIndex;
                    if (info.ConfigureInterface) ConfigureInterface(sandbox, rebuilt, index, defaultRoutes: false);
                    if (rebuilt.Joined != endpoint.Joined) _store.Commit(new StoreBatch().Put(rebuilt));
                }
                catch
                {
                    TryUndo(() => MoveOutOfSandbox(sandbox, rebuilt));
                    TryUndo(() => driver.Leave(network, rebuilt, sandbox));
                    throw;
                }
                _endpoints[rebuilt.Id] = rebuilt;
                log.Add($"re-created interface {endpoint.InterfaceName} of sandbox {sandbox.Name} on network {network.Name}");
            }
            catch (Exception e) when (e is KernelException or PlexusException or ArgumentException)
            {
                try
                {
                    _store.Commit(new StoreBatch().DeleteEndpoint(endpoint.Id));
                    _endpoints.TryRemove(endpoint.Id, out _);
                    ReleaseResources(network, endpoint);
                    dropped++;
                    log.Add($"could not restore endpoint {endpoint.Name} of sandbox {sandbox.Name} on network {network.Name}, so it was disconnected: {e.Message}");
                }
                catch (PlexusException store)
                {
                    log.Add($"could not restore endpoint {endpoint.Name} of sandbox {sandbox.Name} ({e.Message}), nor disconnect it: {store.Message}");
                }
            }
        }
        var joined = EndpointsOf(sandbox);
        if (GatewayChoice.Of(joined) is { } gateway)
            TryUndo(() => SetDefaultRoutes(sandbox, gateway));
        // The previous daemon's resolver sockets died with it: serve the sandbox's names anew.
        foreach (var endpoint in joined)
        {
            var network = _networks[endpoint.NetworkId];
            try
            {
                WaitResolver(StartResolver(network, sandbox), sandbox);
            }
            catch (PlexusException e)
            {
                log.Add(e.Message);
            }
            RestoreNames(network, endpoint, sandbox);
        }
        TryUndo(() => WriteFiles(sandbox, joined));
        if (sandbox.MayHaveProcesses && !sandbox.IsHostNamespace)
        {
            var inode = sandbox.Namespace.Identity.Inode;
            // Main processes that are not the recorded one's session: one a crash cut off between its start and
            // its record, or what a main process that has ended left behind. What `exec` started stays.
            var strays = processes.TryGetValue(inode, out var inside)
                ? SandboxProcesses.Find(sandbox.State with { Owned = false, Process = null }, inode, inside, keep: sandbox.State.Process,
                    variable: SandboxProcesses.MainVariable)
                : [];
            foreach (var pid in strays) TryUndo(() => ProcessTable.Kill(pid));
            if (strays.Count > 0) log.Add($"ended processes {string.Join(", ", strays)} of sandbox {sandbox.Name}: no main process it records");
        }
        return dropped;
    }

    /// <summary>
    /// An endpoint stored joined by a version that did not record what its join returned: the only driver that
    /// offered gateways then was the bridge, which offered exactly its network's first gateways of each enabled
    /// family unless internal; what uses IPAM gets those, the rest nothing. Recorded once, at this restore.
    /// </summary>
    private EndpointState RecordLegacyJoin(EndpointState endpoint, NetworkState network)
    {
        if (endpoint.SandboxId is null || endpoint.Joined is not null) return endpoint;
        if (!CapabilitiesOf(network).UsesIpam || network.Internal) return endpoint with { Joined = JoinResult.Nothing };
        return endpoint with { Joined = JoinInfo.GatewaysOf(network).ToResult() };
    }

    /// <summary>The interface is up and holds the endpoint's addresses (a driver without interfaces has nothing to check).</summary>
    private static bool InterfaceIsWhole(Sandbox sandbox, EndpointState endpoint)
    {
        if (endpoint.InterfaceName is not { } name || (endpoint.IPv4 is null && endpoint.IPv6 is null)) return true;
        if (sandbox.Netlink.FindLink(name) is not { IsUp: true } link) return false;
        var present = sandbox.Netlink.ListAddresses(link.Index).Select(a => a.Prefix).ToHashSet();
        return (endpoint.IPv4 is not { } v4 || present.Contains(v4)) && (endpoint.IPv6 is not { } v6 || present.Contains(v6));
    }

    /// <summary>
    /// Before a rebuild: a link that still holds the interface's name is removed if the namespace is Plexus's;
    /// in an adopted namespace it is someone else's, and the rebuild is refused rather than take it.
    /// </summary>
    private static void ClearInterfaceName(Sandbox sandbox, EndpointState endpoint)
    {
        if (sandbox.IsHostNamespace || endpoint.InterfaceName is not { } name || sandbox.Netlink.FindLink(name) is not { } stale) return;
        if (!sandbox.State.Owned)
            throw PlexusException.Conflict($"its interface name {name} is taken in the adopted namespace by a link that is not Plexus's ({stale.Kind ?? "device"}, index {stale.Index})");
        sandbox.Netlink.DeleteLink(stale.Index);
    }

    /// <summary>
    /// The processes of a sandbox that restore removed: they run on in a namespace no sandbox holds. Only those
    /// that carry its mark are ended: once freed, a namespace's inode number can be given to another one, and
    /// a recorded PID to another process.
    /// </summary>
    private void EndOrphanProcesses(SandboxState state, ulong inode, Dictionary<ulong, List<int>> processes, List<string> log)
    {
        var candidates = new List<int>();
        if (inode != 0 && processes.TryGetValue(inode, out var inside)) candidates.AddRange(inside);
        if (state.Process is { Pid: > 0 } main && !candidates.Contains(main.Pid)) candidates.Add(main.Pid);
        var ended = SandboxProcesses.Find(state with { Owned = false, Process = null }, inode, candidates);
        foreach (var pid in ended) TryUndo(() => ProcessTable.Kill(pid));
        if (ended.Count > 0) log.Add($"ended processes {string.Join(", ", ended)} of removed sandbox {state.Name}");
    }

    /// <summary>Namespaces under the exec root that no sandbox claims: what runs in them is ended, then they are deleted.</summary>
    private void CollectNamespaces(Dictionary<ulong, List<int>> processes, List<string> log)
    {
        var ownedIds = _sandboxes.Values.Where(s => s.State.Owned).Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var name in _namespaces.List().ToList())
        {
            if (ownedIds.Contains(name)) continue;
            ulong inode = ProcessTable.InodeOf(_namespaces.PathOf(name));
            if (inode != 0 && processes.TryGetValue(inode, out var inside))
            {
                foreach (var pid in inside) TryUndo(() => ProcessTable.Kill(pid));
                log.Add($"ended processes {string.Join(", ", inside)} in network namespace {name}, which no sandbox claims");
            }
            TryUndo(() => _namespaces.Delete(name));
            log.Add($"removed network namespace {name}, which no sandbox claims");
        }
    }

    /// <summary>Folders under the exec root's sandboxes/ that belong to no sandbox (a crash between their creation and removal).</summary>
    private void CollectSandboxFolders(List<string> log)
    {
        var root = _options.SandboxFilesDirectory;
        if (!Directory.Exists(root)) return;
        foreach (var dir in Directory.EnumerateDirectories(root).ToList())
        {
            var id = Path.GetFileName(dir);
            if (_sandboxes.ContainsKey(id) || !Ids.IsFullId(id)) continue;
            TryUndo(() => _files.Remove(id));
            log.Add($"removed sandbox folder {dir}, which no sandbox claims");
        }
    }

    /// <summary>Opens a stored sandbox's namespace if it still exists and is the same one (PIDs get reused).</summary>
    private static NetworkNamespace? OpenExisting(SandboxState state)
    {
        try
        {
            if (state.NamespacePath == "/proc/self/ns/net") return NetworkNamespace.OpenProcess();
            if (state.Owned && !File.Exists(state.NamespacePath)) return null;
            var ns = NetworkNamespace.OpenPath(state.NamespacePath);
            if (state.NamespaceInode != 0 && ns.Identity.Inode != state.NamespaceInode)
            {
                ns.Dispose();
                return null;
            }
            return ns;
        }
        catch (KernelException)
        {
            return null;
        }
    }
}
