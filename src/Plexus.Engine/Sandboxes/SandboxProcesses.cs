using Plexus.Engine.Model;
using Plexus.Kernel.ProcFs;

namespace Plexus.Engine.Sandboxes;

/// <summary>
/// The processes a sandbox started, found and ended, so none outlives its sandbox (or runs on in a namespace
/// that was deleted). Every process Plexus starts in a sandbox carries <see cref="Variable"/>=ID in its
/// environment, and its children inherit it; its main process and that one's children also carry
/// <see cref="MainVariable"/>. In a namespace Plexus created, every process is the sandbox's;
/// in an adopted one (someone else's container, the host) only those that carry the mark, or belong to the
/// session the sandbox's main process leads, are.
/// </summary>
public static class SandboxProcesses
{
    /// <summary>The environment variable that marks a process as started by Plexus in a sandbox.</summary>
    public const string Variable = "PLEXUS_SANDBOX";

    /// <summary>Marks the main process (`plexus run`) of the sandbox and its descendants, as apart from what `exec` started.</summary>
    public const string MainVariable = "PLEXUS_SANDBOX_MAIN";

    /// <summary>True when the recorded process runs, and is the one recorded (a PID can be reused after it exits).</summary>
    public static bool IsAlive(SandboxProcessState? process)
    {
        if (process is not { Pid: > 0 } p || ProcessTable.Stat(p.Pid) is not { } stat || stat.IsZombie) return false;
        return p.StartTime == 0 || stat.StartTime == p.StartTime;
    }

    /// <summary>
    /// The sandbox's processes among <paramref name="candidates"/> (the processes in its namespace, whose
    /// inode is <paramref name="inode"/>; all of them when null), except the session of <paramref name="keep"/>.
    /// In an adopted namespace, the mark looked for is <paramref name="variable"/>. The namespace file's
    /// <paramref name="device"/>, when known (a live sandbox's handle), is compared with the inode.
    /// </summary>
    public static List<int> Find(SandboxState sandbox, ulong inode, IEnumerable<int>? candidates = null, SandboxProcessState? keep = null,
        string variable = Variable, ulong? device = null)
    {
        ArgumentNullException.ThrowIfNull(sandbox);
        // A session is trusted only for a process known by its start time: a reused PID may lead someone else's.
        int keepSession = IsAlive(keep) ? keep!.Pid : 0;
        int mainSession = sandbox.Process is { StartTime: > 0 } && IsAlive(sandbox.Process) ? sandbox.Process.Pid : 0;
        var found = new List<int>();
        foreach (var pid in candidates ?? ProcessTable.InNetworkNamespace(inode, device))
        {
            if (ProcessTable.Stat(pid) is not { IsZombie: false } stat) continue;
            if (keepSession != 0 && stat.Session == keepSession) continue;
            if (sandbox.Owned || (mainSession != 0 && stat.Session == mainSession) || ProcessTable.HasEnvironment(pid, variable, sandbox.Id))
                found.Add(pid);
        }
        return found;
    }

    /// <summary>
    /// Kills the sandbox's processes (see <see cref="Find"/>) until none is left in its namespace: one can fork
    /// while its siblings are killed. Returns how many were killed; gives up after a few seconds on a process
    /// the kernel does not let die (uninterruptible sleep), which it then names.
    /// </summary>
    public static int EndAll(SandboxState sandbox, ulong inode, SandboxProcessState? keep = null, ulong? device = null)
    {
        ArgumentNullException.ThrowIfNull(sandbox);
        var killed = new HashSet<int>();
        for (int round = 0; ; round++)
        {
            var left = Find(sandbox, inode, keep: keep, device: device);
            if (left.Count == 0) return killed.Count;
            if (round == 200)
                throw new PlexusException(ErrorKind.Internal,
                    $"sandbox {sandbox.Name}: processes {string.Join(", ", left)} did not end after SIGKILL");
            foreach (var pid in left)
                if (ProcessTable.Kill(pid)) killed.Add(pid);
            Thread.Sleep(round < 10 ? 1 : 20);
        }
    }
}
