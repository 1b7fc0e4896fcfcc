using Plexus.Api;
using System.Collections.Concurrent;
using System.Diagnostics;
using Plexus.Daemon.Api;
using Plexus.Engine.Controller;
using Plexus.Engine.Model;
using Plexus.Engine.UseCases;

namespace Plexus.Daemon.Hosting;

/// <summary>
/// Main processes of sandboxes (`plexus run`). A process writes its output straight to its log file and
/// runs in a session of its own, so it outlives a daemon restart as a container outlives dockerd's. The
/// controller starts and records it in one step (<see cref="NetworkController.StartMainProcess"/>) and ends
/// it with its sandbox; this class keeps the handles of the children it started, so they are reaped.
/// </summary>
internal sealed class ProcessSupervisor(NetworkController controller) : IMainProcessStarter, IDisposable
{
    private readonly ConcurrentDictionary<int, Process> _children = new();

    public void StartMain(string sandboxId, IReadOnlyList<string> command, IReadOnlyList<string> environment)
    {
        var sandbox = controller.GetSandbox(sandboxId);
        var log = Path.Combine(controller.Files.DirectoryOf(sandbox.Id), "output.log");
        try
        {
            CreateLog(log);
        }
        catch (DirectoryNotFoundException)
        {
            throw PlexusException.NotFound($"sandbox {sandbox.Name} not found: it was removed meanwhile");
        }
        // setsid: a session of its own. The output goes to the log, opened before the daemon's paths are hidden.
        string[] wrapped = ["setsid", .. command];
        Process process;
        try
        {
            process = controller.StartMainProcess(sandbox.Id, wrapped,
                new SandboxProcessState { Command = command, LogPath = log, Environment = environment },
                psi =>
                {
                    foreach (var e in environment) SandboxesEndpoints.SetEnv(psi, e);
                }, outputFile: log);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw PlexusException.Invalid($"cannot start '{command[0]}' in sandbox {sandbox.Name}: {e.Message}");
        }
        _children[process.Id] = process;
        int pid = process.Id;
        process.Exited += (_, _) =>
        {
            RecordExit(sandbox.Id, pid, process.ExitCode); // "die", with its code and time, as Docker shows it
            if (_children.TryRemove(pid, out _)) process.Dispose();
        };
        process.EnableRaisingEvents = true; // after the handler: an end that came first is still reported
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

    private void RecordExit(string sandboxId, int pid, int exitCode)
    {
        try
        {
            controller.RecordExit(sandboxId, pid, exitCode, DateTimeOffset.UtcNow);
        }
        catch (PlexusException)
        {
            // the store refused: the end shows as unknown (255) rather than failing anything
        }
    }

    public void Dispose()
    {
        // Children are left running on purpose (containers keep running while the daemon is down).
        foreach (var child in _children.Values) child.Dispose();
        _children.Clear();
    }
}
