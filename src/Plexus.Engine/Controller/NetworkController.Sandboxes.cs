using System.Diagnostics;
using Plexus.Engine.Model;
using Plexus.Engine.Sandboxes;
using Plexus.Engine.Store;
using Plexus.Kernel;
using Plexus.Kernel.Namespaces;

namespace Plexus.Engine.Controller;

public sealed partial class NetworkController
{
    /// <summary>Docker's rule for container names; sandbox names appear in hosts files and DNS.</summary>
    [System.Text.RegularExpressions.GeneratedRegex("^[a-zA-Z0-9][a-zA-Z0-9_.-]*$")]
    private static partial System.Text.RegularExpressions.Regex ValidName();

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
                SandboxNamespaceMode.Path or SandboxNamespaceMode.Pid => Adopt(request),
                SandboxNamespaceMode.Host => NetworkNamespace.OpenProcess(),
                _ => throw PlexusException.Invalid($"unknown namespace mode {request.Mode}"),
            };
            // A namespace just made cannot be the daemon's; one adopted may be.
            bool isHost = request.Mode == SandboxNamespaceMode.Host || (!owned && ns.Identity == _hostNs.Identity);
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
            if (!isHost) _networking.Prepare(sandbox);
            _files.Write(state, [], LinkedHostsOf(sandbox));
            _store.Commit(new StoreBatch().Put(state));
            AddSandbox(sandbox);
            Events.Publish(ControllerEvent.SandboxCreated(state));
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

    /// <summary>
    /// Opens the namespace a sandbox adopts. Whatever is wrong with the path or PID is the request's fault
    /// (400), and the open never blocks (<see cref="NetworkNamespace.OpenPath"/>).
    /// </summary>
    private static NetworkNamespace Adopt(SandboxCreateRequest request)
    {
        try
        {
            return request.Mode == SandboxNamespaceMode.Path
                ? NetworkNamespace.OpenPath(request.NamespacePath is { Length: > 0 } path ? path : throw PlexusException.Invalid("adopting a namespace by path needs a path"))
                : NetworkNamespace.OpenPid(request.Pid ?? throw PlexusException.Invalid("adopting a namespace by PID needs a PID"));
        }
        catch (KernelException e)
        {
            string field = request.Mode == SandboxNamespaceMode.Path
                ? $"namespace path (NetnsPath, --netns) {RequestValidation.Show(request.NamespacePath)}"
                : $"PID (Pid, --pid) {request.Pid}";
            throw PlexusException.Invalid($"invalid {field}: sandbox {request.Name} cannot adopt its network namespace: {e.Message}");
        }
    }

    /// <summary>
    /// Removes a sandbox: ends the processes it started, leaves and deletes its endpoints, then deletes its
    /// namespace if Plexus made it. Without <paramref name="force"/>, a sandbox whose main process runs is
    /// refused. Holding the sandbox's lock throughout, it cannot miss a process started meanwhile: starts
    /// take the same lock (<see cref="StartMainProcess"/>).
    /// </summary>
    public void DeleteSandbox(string reference, bool force = true)
    {
        var sandbox = GetSandbox(reference);
        RefuseDocker(sandbox, "remove");
        while (true)
        {
            // The networks to lock are known only once the sandbox is locked: a join may complete meanwhile.
            var networkIds = EndpointsOf(sandbox).Select(e => e.NetworkId).ToHashSet(StringComparer.Ordinal);
            // Its networks shared, as a leave takes them (see LockForJoin).
            using var _ = Volatile.Read(ref _linkingSandboxes) == 0
                ? _locks.Acquire([sandbox.Id], networkIds)
                : _locks.Acquire([sandbox.Id, .. networkIds], []);
            EnsureLive(sandbox, reference);
            if (!EndpointsOf(sandbox).All(e => networkIds.Contains(e.NetworkId))) continue;
            if (!force && sandbox.State.Process is { Pid: > 0 } running && SandboxProcesses.IsAlive(running))
                throw PlexusException.Conflict($"cannot remove running sandbox {sandbox.Name}: its process {running.Pid} is running; stop it first or force the removal (-f)");
            bool mainRunning = sandbox.State.Process is { Pid: > 0, ExitCode: null } main && SandboxProcesses.IsAlive(main);
            if (sandbox.MayHaveProcesses) EndProcesses(sandbox);
            // Docker's order on a forced removal: the process dies (killed: 137), then the networks go, then the container.
            if (mainRunning) Events.Publish(ControllerEvent.ProcessExited(sandbox.State with
            {
                Process = sandbox.State.Process! with { ExitCode = 128 + 9, FinishedAt = DateTimeOffset.UtcNow },
            }, 128 + 9));
            foreach (var endpoint in EndpointsOf(sandbox))
                LeaveLocked(_networks[endpoint.NetworkId], endpoint, sandbox, delete: true);
            RemoveSandboxLocked(sandbox);
            return;
        }
    }

    /// <summary>Ends every process the sandbox started; the namespace is about to go, and nothing may run on in it.</summary>
    private static void EndProcesses(Sandbox sandbox)
    {
        try
        {
            var (device, inode) = sandbox.Namespace.Identity;
            SandboxProcesses.EndAll(sandbox.State, inode, device: device);
        }
        catch (KernelException e)
        {
            throw Wrap(e, $"end the processes of sandbox {sandbox.Name}");
        }
    }

    /// <summary>The sandbox is still the live one of its id: not removed (or replaced) while the caller waited for its lock.</summary>
    private void EnsureLive(Sandbox sandbox, string reference)
    {
        if (!_sandboxes.TryGetValue(sandbox.Id, out var live) || !ReferenceEquals(live, sandbox))
            throw PlexusException.NotFound($"sandbox {reference} not found");
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
        Events.Publish(ControllerEvent.SandboxRemoved(sandbox.State));
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

    /// <summary>
    /// Starts the sandbox's main process (`plexus run`) and records it, in one step under the sandbox's lock: a
    /// removal either comes first, and this fails with "not found" having started nothing, or comes after and
    /// finds the process recorded. A record that cannot be written kills the process: nothing runs unrecorded.
    /// <paramref name="process"/> gives what to record besides the PID and start time; its output is appended to
    /// <paramref name="outputFile"/>.
    /// </summary>
    public Process StartMainProcess(string sandboxReference, IReadOnlyList<string> command, SandboxProcessState process, Action<ProcessStartInfo>? configure = null,
        string? outputFile = null)
    {
        ArgumentNullException.ThrowIfNull(process);
        RequestValidation.Command(command);
        var sandbox = GetSandbox(sandboxReference);
        RefuseDocker(sandbox, "start processes in");
        using var held = _locks.Acquire(sandbox.Id);
        EnsureLive(sandbox, sandboxReference);
        var started = StartProcessLocked(sandbox, command, psi =>
        {
            configure?.Invoke(psi);
            psi.Environment[SandboxProcesses.MainVariable] = sandbox.Id;
        }, outputFile: outputFile);
        try
        {
            var state = sandbox.State with
            {
                Process = process with
                {
                    Pid = started.Id,
                    StartedAt = DateTimeOffset.UtcNow,
                    StartTime = Kernel.ProcFs.ProcessTable.Stat(started.Id)?.StartTime ?? 0,
                },
            };
            _store.Commit(new StoreBatch().Put(state));
            sandbox.State = state;
            Events.Publish(ControllerEvent.ProcessStarted(state));
            return started;
        }
        catch (Exception e)
        {
            try
            {
                started.Kill(entireProcessTree: true);
            }
            catch (Exception k) when (k is InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // it has already ended
            }
            started.Dispose();
            throw Wrap(e, $"record the process of sandbox {sandbox.Name}");
        }
    }

    /// <summary>
    /// Records that the sandbox's main process <paramref name="pid"/> ended, with its exit code, once; false
    /// when the sandbox is gone, runs another process, or the end is already recorded.
    /// </summary>
    public bool RecordExit(string sandboxId, int pid, int exitCode, DateTimeOffset finishedAt)
    {
        if (!_sandboxes.TryGetValue(sandboxId, out var sandbox)) return false;
        using var held = _locks.Acquire(sandbox.Id);
        if (!_sandboxes.ContainsKey(sandbox.Id) || sandbox.State.Process is not { } process || process.Pid != pid || process.ExitCode is not null)
            return false;
        var state = sandbox.State with { Process = process with { ExitCode = exitCode, FinishedAt = finishedAt } };
        try
        {
            _store.Commit(new StoreBatch().Put(state));
        }
        catch (Exception e)
        {
            throw Wrap(e, $"record the end of the process of sandbox {sandbox.Name}");
        }
        sandbox.State = state;
        Events.Publish(ControllerEvent.ProcessExited(state, exitCode));
        return true;
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
        RefuseDocker(sandbox, "start processes in");
        using var held = _locks.Acquire(sandbox.Id);
        EnsureLive(sandbox, sandboxReference);
        return StartProcessLocked(sandbox, command, configure, privileged, outputFile);
    }

    private Process StartProcessLocked(Sandbox sandbox, IReadOnlyList<string> command, Action<ProcessStartInfo>? configure,
        bool privileged = false, string? outputFile = null)
    {
        sandbox.MayHaveProcesses = true;
        try
        {
            var links = LinkEnvironment(sandbox);
            return SandboxProcess.Start(sandbox, _files, command, privileged ? ProcessConfinement.Privileged : ConfinementOf(sandbox.State), psi =>
            {
                foreach (var (key, value) in links) psi.Environment[key] = value;
                configure?.Invoke(psi);
                psi.Environment[SandboxProcesses.Variable] = sandbox.Id; // last: the mark cannot be overridden
            }, outputFile);
        }
        catch (Exception e) when (e is KernelException or System.ComponentModel.Win32Exception)
        {
            throw Wrap(e, $"start {(command.Count > 0 ? command[0] : "")} in sandbox {sandbox.Name}");
        }
    }
}
