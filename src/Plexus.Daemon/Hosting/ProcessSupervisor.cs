using Plexus.Api;
using System.Collections.Concurrent;
using System.Diagnostics;
using Plexus.Daemon.Api;
using Plexus.Engine.Controller;
using Plexus.Engine.Model;

namespace Plexus.Daemon.Hosting;

/// <summary>
/// Main processes of sandboxes (`plexus run`). A process writes its output straight to its log file and
/// runs in a session of its own, so it outlives a daemon restart as a container outlives dockerd's.
/// </summary>
internal sealed class ProcessSupervisor(NetworkController controller) : IDisposable
{
    private readonly ConcurrentDictionary<int, Process> _children = new();

    public void StartMain(string sandboxId, IReadOnlyList<string> command, IReadOnlyList<string> environment)
    {
        var sandbox = controller.GetSandbox(sandboxId);
        var log = Path.Combine(controller.Files.DirectoryOf(sandbox.Id), "output.log");
        CreateLog(log);
        // setsid: a session of its own. The output goes to the log, opened before the daemon's paths are hidden.
        string[] wrapped = ["setsid", .. command];
        Process process;
        try
        {
            process = controller.StartProcess(sandbox.Id, wrapped, psi =>
            {
                foreach (var e in environment) SandboxesEndpoints.SetEnv(psi, e);
            }, outputFile: log);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw PlexusException.Invalid($"cannot start '{command[0]}' in sandbox {sandbox.Name}: {e.Message}");
        }
        _children[process.Id] = process;
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => _children.TryRemove(process.Id, out _);
        controller.SetProcess(sandbox.Id, new SandboxProcessState
        {
            Command = command,
            Pid = process.Id,
            StartedAt = DateTimeOffset.UtcNow,
            LogPath = log,
            Environment = environment,
        });
    }

    /// <summary>An empty log only root can read: a process's output may hold what others must not see.</summary>
    private static void CreateLog(string path)
    {
        const UnixFileMode owner = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (new FileStream(path, new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = owner }))
        {
        }
        File.SetUnixFileMode(path, owner); // Create keeps the mode of a file that was there
    }

    public void Kill(int pid)
    {
        try
        {
            if (_children.TryRemove(pid, out var child))
            {
                child.Kill(entireProcessTree: true);
                child.WaitForExit(5000);
                child.Dispose();
                return;
            }
            using var other = Process.GetProcessById(pid);
            other.Kill(entireProcessTree: true);
            other.WaitForExit(5000);
        }
        catch (ArgumentException)
        {
            // already gone
        }
        catch (InvalidOperationException)
        {
        }
    }

    public void Dispose()
    {
        // Children are left running on purpose (containers keep running while the daemon is down).
        foreach (var child in _children.Values) child.Dispose();
        _children.Clear();
    }
}
