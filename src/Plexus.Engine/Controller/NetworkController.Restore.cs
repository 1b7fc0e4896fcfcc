using Plexus.Engine.Model;
using Plexus.Engine.Sandboxes;
using Plexus.Engine.Store;
using Plexus.Kernel;
using Plexus.Kernel.Namespaces;

namespace Plexus.Engine.Controller;

public sealed partial class NetworkController
{
    /// <summary>
    /// Start-up: loads the store and reconciles it with the kernel. Half-created networks are rolled back;
    /// sandboxes whose namespace is gone are removed with their endpoints; bridges and veths the store
    /// knows are re-created if missing; links and namespaces of Plexus's naming that nothing claims are
    /// removed. Returns one line per repair, for the log.
    /// </summary>
    public IReadOnlyList<string> Restore()
    {
        var log = new List<string>();
        var snapshot = _store.Load();
        var cleanup = new StoreBatch();

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
            if (OpenExisting(state) is { } ns)
            {
                var restored = new Sandbox(state, ns, state.NamespacePath == "/proc/self/ns/net");
                AddSandbox(restored);
                continue;
            }
            cleanup.DeleteSandbox(state.Id);
            TryUndo(() => _files.Remove(state.Id));
            log.Add($"removed sandbox {state.Name}: its network namespace is gone");
        }

        foreach (var endpoint in snapshot.Endpoints)
        {
            bool networkKnown = _networks.ContainsKey(endpoint.NetworkId);
            bool sandboxGone = endpoint.SandboxId is { } sid && !_sandboxes.ContainsKey(sid);
            if (!networkKnown || sandboxGone)
            {
                cleanup.DeleteEndpoint(endpoint.Id);
                log.Add($"removed endpoint {endpoint.Name}: its {(networkKnown ? "sandbox" : "network")} is gone");
                continue;
            }
            _endpoints[endpoint.Id] = endpoint;
            _ports.Restore(endpoint.PortBindings, PortOwner(endpoint.Name, _networks[endpoint.NetworkId]));
        }
        if (!cleanup.IsEmpty) _store.Commit(cleanup);

        foreach (var network in _networks.Values)
        {
            if (network.Driver == "bridge")
            {
                var held = _endpoints.OfNetwork(network.Id)
                    .SelectMany(e => new[] { e.IPv4?.Address, e.IPv6?.Address }).OfType<System.Net.IPAddress>();
                _ipam.RestoreNetwork(network.Id, network.Name, network.Subnets, network.IpamOptions, held);
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

        foreach (var sandbox in _sandboxes.Values) RestoreSandbox(sandbox, log);

        var joined = _endpoints.Values.Where(e => e.SandboxId is not null).ToList();
        foreach (var driver in _drivers.Values)
        {
            foreach (var removed in driver.CollectGarbage(_networks.Values.ToList(), joined))
                log.Add($"removed link {removed}, which no network or endpoint claims");
            try
            {
                driver.Reconcile(_networks.Values.ToList(), joined, n => LinkFlowsOf(n));
            }
            catch (Exception e) when (e is KernelException or PlexusException)
            {
                log.Add($"could not re-apply the {driver.Name} driver's rules: {e.Message}");
            }
        }

        var ownedIds = _sandboxes.Values.Where(s => s.State.Owned).Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var name in _namespaces.List().ToList())
        {
            if (ownedIds.Contains(name)) continue;
            TryUndo(() => _namespaces.Delete(name));
            log.Add($"removed network namespace {name}, which no sandbox claims");
        }
        return log;
    }

    /// <summary>Re-creates the interfaces of joined endpoints that are missing, then the default route.</summary>
    private void RestoreSandbox(Sandbox sandbox, List<string> log)
    {
        var joined = EndpointsOf(sandbox);
        foreach (var endpoint in joined)
        {
            var network = _networks[endpoint.NetworkId];
            var driver = DriverOf(network);
            try
            {
                if (driver.IsJoined(network, endpoint, sandbox)) continue;
                TryUndo(() => driver.Leave(network, endpoint, sandbox));
                var info = driver.Join(network, endpoint, sandbox);
                if (info.ConfigureInterface) ConfigureInterface(sandbox, endpoint, network);
                log.Add($"re-created interface {endpoint.InterfaceName} of sandbox {sandbox.Name} on network {network.Name}");
            }
            catch (Exception e) when (e is KernelException or PlexusException)
            {
                log.Add($"could not restore endpoint {endpoint.Name} of sandbox {sandbox.Name}: {e.Message}");
            }
        }
        if (GatewayEndpoint(joined) is { } gateway)
            TryUndo(() => SetDefaultRoutes(sandbox, gateway, GatewayInfo(gateway)));
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
            PublishNames(network, endpoint, sandbox);
        }
        TryUndo(() => WriteFiles(sandbox, joined));
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
