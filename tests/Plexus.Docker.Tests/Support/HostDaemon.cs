using System.Globalization;

namespace Plexus.Docker.Tests.Support;

/// <summary>
/// A daemon started inside a docker host (plexusd, dockerd) through docker-host.sh spawn: a child of the host's
/// PID 1, not of the test process, so it is found by PID and signalled by PID. Its output goes to a log file
/// in the host's directory.
/// </summary>
public sealed class HostDaemon
{
    private HostDaemon(string name, string logPath, int pid)
    {
        Name = name;
        LogPath = logPath;
        Pid = pid;
    }

    public string Name { get; }
    public string LogPath { get; }

    /// <summary>The PID as the machine (and this test process) numbers it.</summary>
    public int Pid { get; }

    public bool Running => IsAlive(Pid);

    /// <summary>Starts <paramref name="command"/> inside the host whose PID 1 is <paramref name="hostPid1"/>.</summary>
    internal static HostDaemon Spawn(string name, int hostPid1, string script, string logPath, IEnumerable<string> command)
    {
        var r = Command.Run("nsenter", ["-t", Str(hostPid1), "-n", "-m", "-p", "--", "bash", script, "spawn", logPath, .. command]);
        if (!r.Ok || !int.TryParse(r.Out.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int inner))
            throw new InvalidOperationException($"could not start {name} in the docker host: {r}");
        // The spawned process is in the host's PID namespace under number `inner`; find the machine's number for it.
        var ns = PidNamespaceOf(hostPid1);
        for (int attempt = 0; attempt < 50; attempt++)
        {
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)) continue;
                var ids = NsPids(pid);
                if (ids.Length >= 2 && ids[^1] == inner && PidNamespaceOf(pid) == ns) return new HostDaemon(name, logPath, pid);
            }
            Thread.Sleep(20);
        }
        throw new InvalidOperationException($"{name} started as PID {inner} in the docker host and was gone at once: {Tail(logPath)}");
    }

    /// <summary>SIGTERM, then SIGKILL after <paramref name="graceSeconds"/>; waits until it is gone.</summary>
    public void Stop(int graceSeconds = 60)
    {
        Signal("TERM");
        if (!WaitExit(graceSeconds)) Kill();
    }

    /// <summary>SIGKILL, as in a crash; waits until it is gone.</summary>
    public void Kill()
    {
        Signal("KILL");
        if (!WaitExit(30)) throw new InvalidOperationException($"{Name} (PID {Pid}) survived SIGKILL");
    }

    private void Signal(string signal)
    {
        if (Running) Command.Run("kill", ["-" + signal, Str(Pid)]);
    }

    /// <summary>Waits until the process is gone (the host's PID 1 reaps it).</summary>
    public bool WaitExit(double seconds) => Eventually.True(() => !Running, seconds, 50);

    public string Tail(int lines = 25) => Tail(LogPath, lines);

    /// <summary>The last lines of a log, without those holding <paramref name="noise"/> (dockerd's gRPC chatter).</summary>
    internal static string Tail(string path, int lines = 25, string? noise = null)
    {
        try
        {
            return string.Join('\n', File.ReadLines(path).Where(l => noise is null || !l.Contains(noise, StringComparison.Ordinal)).TakeLast(lines));
        }
        catch (IOException e)
        {
            return $"({path}: {e.Message})";
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{Str(pid)}/stat");
            int close = stat.LastIndexOf(')');
            return close > 0 && stat.Length > close + 2 && stat[close + 2] is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static int[] NsPids(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{Str(pid)}/status"))
            {
                if (!line.StartsWith("NSpid:", StringComparison.Ordinal)) continue;
                return line[6..].Split('\t', ' ', StringSplitOptions.RemoveEmptyEntries)
                    .Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return [];
    }

    internal static string? PidNamespaceOf(int pid)
    {
        try
        {
            return new FileInfo($"/proc/{Str(pid)}/ns/pid").LinkTarget;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string Str(int n) => n.ToString(CultureInfo.InvariantCulture);
}
