using System.Diagnostics;
using Plexus.Engine.Model;
using Plexus.Engine.Sandboxes;
using Plexus.Engine.Store;
using Plexus.Kernel;
using Plexus.Kernel.Namespaces;

namespace Plexus.Engine.Controller;

public sealed partial class NetworkController
{
    /// <summary>Creates a sandbox: a new namespace Plexus owns, or an existing one adopted by path or PID.</summary>
    public Sandbox CreateSandbox(SandboxCreateRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        RequestValidation.Check(request);
        var capAdd = Capabilities.Normalize(request.CapAdd, "capability (CapAdd, --cap-add)");
        var capDrop = Capabilities.Normalize(request.CapDrop, "capability (CapDrop, --cap-drop)");
        ReserveName(_reservedSandboxNames, request.Name!, _sandboxes.Values.Select(s => s.Name), "sandbox");
        var id = Ids.New();
        NetworkNamespace? ns = null;
        bool owned = request.Mode == SandboxNamespaceMode.New;
        try
        {
            ns = request.Mode switch
            {
                SandboxNamespaceMode.New => _namespaces.Create(id),
                SandboxNamespaceMode.Path => OpenPathNamespace(request.NamespacePath
                    ?? throw PlexusException.Invalid("adopting a namespace by path needs a path")),
                SandboxNamespaceMode.Pid => OpenPidNamespace(request.Pid
                    ?? throw PlexusException.Invalid("adopting a namespace by PID needs a PID")),
                SandboxNamespaceMode.Host => NetworkNamespace.OpenProcess(),
                _ => throw PlexusException.Invalid($"unknown namespace mode {request.Mode}"),
            };
            bool isHost = request.Mode == SandboxNamespaceMode.Host || ns.Identity == _hostNs.Identity;
            if (isHost && request.Mode != SandboxNamespaceMode.Host)
                throw PlexusException.Invalid($"sandbox {request.Name}: the namespace given is the daemon's own; use the host network instead");
            var state = new SandboxState
            {
                Id = id,
                Name = request.Name!,
                NamespacePath = request.Mode switch
                {
                    SandboxNamespaceMode.New => _namespaces.PathOf(id),
                    SandboxNamespaceMode.Pid => $"/proc/{request.Pid}/ns/net",
                    SandboxNamespaceMode.Host => "/proc/self/ns/net",
                    _ => request.NamespacePath!,
                },
                Owned = owned,
                Pid = request.Pid,
                NamespaceInode = ns.Identity.Inode,
                Hostname = request.Hostname,
                DnsServers = request.DnsServers,
                DnsSearch = request.DnsSearch,
                DnsOptions = request.DnsOptions,
                ExtraHosts = request.ExtraHosts,
                Labels = request.Labels,
                Links = request.Links,
                Privileged = request.Privileged,
                CapAdd = capAdd,
                CapDrop = capDrop,
                Created = DateTimeOffset.UtcNow,
            };
            var sandbox = new Sandbox(state, ns, isHost);
            if (!isHost)
            {
                var rt = sandbox.Netlink;
                rt.SetUp(rt.GetLink("lo").Index);
                // Interfaces created from now on start without IPv6; a join turns it on for IPv6 networks.
                if (owned) ns.SetSysctl("net.ipv6.conf.default.disable_ipv6", "1");
            }
            _files.Write(state, [], LinkedHostsOf(sandbox));
            _store.Commit(new StoreBatch().Put(state));
            AddSandbox(sandbox);
            return sandbox;
        }
        catch (Exception e)
        {
            ns?.Dispose();
            if (owned) TryUndo(() => { if (_namespaces.Exists(id)) _namespaces.Delete(id); });
            TryUndo(() => _files.Remove(id));
            throw Wrap(e, $"create sandbox {request.Name}");
        }
        finally
        {
            lock (_names) _reservedSandboxNames.Remove(request.Name!);
        }
    }

    /// <summary>Removes a sandbox: leaves and deletes its endpoints, then deletes its namespace if Plexus made it.</summary>
    public void DeleteSandbox(string reference)
    {
        var sandbox = GetSandbox(reference);
        var networkIds = EndpointsOf(sandbox).Select(e => e.NetworkId).ToArray();
        using var _ = _locks.Acquire([sandbox.Id, .. networkIds]);
        if (!_sandboxes.ContainsKey(sandbox.Id)) throw PlexusException.NotFound($"sandbox {reference} not found");
        foreach (var endpoint in EndpointsOf(sandbox))
        {
            var network = _networks[endpoint.NetworkId];
            if (!networkIds.Contains(network.Id)) continue; // joined meanwhile: held by no lock of ours
            LeaveLocked(network, endpoint, sandbox);
            DeleteEndpointLocked(network, _endpoints[endpoint.Id]);
        }
        RemoveSandboxLocked(sandbox);
    }

    private void RemoveSandboxLocked(Sandbox sandbox)
    {
        try
        {
            _store.Commit(new StoreBatch().DeleteSandbox(sandbox.Id));
        }
        catch (Exception e)
        {
            throw Wrap(e, $"delete sandbox {sandbox.Name}");
        }
        RemoveSandbox(sandbox);
        ForgetNames(sandbox);
        sandbox.Dispose();
        if (sandbox.State.Owned) TryUndo(() => { if (_namespaces.Exists(sandbox.Id)) _namespaces.Delete(sandbox.Id); });
        TryUndo(() => _files.Remove(sandbox.Id));
    }

    /// <summary>Docker's default capabilities tweaked by the sandbox's --cap-add and --cap-drop, and the daemon's paths hidden; or nothing, privileged.</summary>
    public ProcessConfinement ConfinementOf(SandboxState sandbox)
    {
        ArgumentNullException.ThrowIfNull(sandbox);
        return sandbox.Privileged ? ProcessConfinement.Privileged : new ProcessConfinement
        {
            Capabilities = Capabilities.Effective(sandbox.CapAdd, sandbox.CapDrop, privileged: false),
            HiddenPaths = _options.HiddenPaths,
        };
    }

    /// <summary>The namespace of a process; one that ended after the request was checked is still bad input, not a failure.</summary>
    private static NetworkNamespace OpenPidNamespace(int pid)
    {
        try
        {
            return NetworkNamespace.OpenPid(pid);
        }
        catch (KernelException e) when (e.ErrorNumber is 2 or 3) // ENOENT, ESRCH
        {
            throw PlexusException.Invalid($"invalid PID (Pid, --pid) {pid}: no process with this id is running");
        }
    }

    /// <summary>A namespace by path; a path that leads nowhere is bad input, not a failure.</summary>
    private static NetworkNamespace OpenPathNamespace(string path)
    {
        try
        {
            return NetworkNamespace.OpenPath(path);
        }
        catch (KernelException e) when (e.ErrorNumber is 2 or 20) // ENOENT, ENOTDIR
        {
            throw PlexusException.Invalid($"invalid namespace path (NetnsPath, --netns) {RequestValidation.Show(path)}: no such file");
        }
    }

    /// <summary>Records (or clears) the sandbox's main process.</summary>
    public Sandbox SetProcess(string sandboxReference, SandboxProcessState? process)
    {
        var sandbox = GetSandbox(sandboxReference);
        using var held = _locks.Acquire(sandbox.Id);
        var state = sandbox.State with { Process = process };
        try
        {
            _store.Commit(new StoreBatch().Put(state));
        }
        catch (Exception e)
        {
            throw Wrap(e, $"record the process of sandbox {sandbox.Name}");
        }
        sandbox.State = state;
        return sandbox;
    }

    /// <summary>
    /// Starts a process inside the sandbox, seeing the sandbox's hosts, resolv.conf and hostname, confined as the
    /// sandbox says (<see cref="ConfinementOf"/>); <paramref name="privileged"/> lifts that for this process only
    /// (docker exec --privileged). With <paramref name="outputFile"/>, stdout and stderr are appended to that file.
    /// </summary>
    public Process StartProcess(string sandboxReference, IReadOnlyList<string> command, Action<ProcessStartInfo>? configure = null,
        bool privileged = false, string? outputFile = null)
    {
        RequestValidation.Command(command);
        var sandbox = GetSandbox(sandboxReference);
        try
        {
            var links = LinkEnvironment(sandbox);
            return SandboxProcess.Start(sandbox, _files, command, privileged ? ProcessConfinement.Privileged : ConfinementOf(sandbox.State), psi =>
            {
                foreach (var (key, value) in links) psi.Environment[key] = value;
                configure?.Invoke(psi);
            }, outputFile);
        }
        catch (Exception e) when (e is KernelException or System.ComponentModel.Win32Exception)
        {
            throw Wrap(e, $"start {(command.Count > 0 ? command[0] : "")} in sandbox {sandbox.Name}");
        }
    }
}
