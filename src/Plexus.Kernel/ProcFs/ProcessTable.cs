using System.Globalization;
using System.Text;
using Plexus.Kernel.Interop;

namespace Plexus.Kernel.ProcFs;

/// <summary>
/// The machine's processes as /proc shows them: which network namespace each is in, when it started, and
/// its environment, so the engine can find what runs in a namespace and end it. One stat per process to
/// place it in a namespace; nothing is spawned.
/// </summary>
public static class ProcessTable
{
    /// <summary>Live processes by the inode of their network namespace. Zombies are in none (they have left it).</summary>
    public static Dictionary<ulong, List<int>> ByNetworkNamespace()
    {
        var map = new Dictionary<ulong, List<int>>();
        foreach (var pid in Pids())
        {
            ulong inode = NetworkNamespaceOf(pid);
            if (inode == 0) continue;
            if (!map.TryGetValue(inode, out var list)) map[inode] = list = [];
            list.Add(pid);
        }
        return map;
    }

    /// <summary>
    /// Live processes in the network namespace whose nsfs inode is <paramref name="inode"/>, and whose device is
    /// <paramref name="device"/> when given (from a live handle, <see cref="Namespaces.NetworkNamespace.Identity"/>;
    /// a stored record keeps only the inode).
    /// </summary>
    public static List<int> InNetworkNamespace(ulong inode, ulong? device = null)
    {
        var found = new List<int>();
        if (inode == 0) return found;
        foreach (var pid in Pids())
        {
            if (NetworkNamespaceIdentityOf(pid) is { } id && id.Inode == inode && (device is null || id.Device == device))
                found.Add(pid);
        }
        return found;
    }

    /// <summary>Device and inode of the process's network namespace; null when it is gone or a zombie.</summary>
    public static (ulong Device, ulong Inode)? NetworkNamespaceIdentityOf(int pid) =>
        StatIdentity.Of($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/ns/net");

    /// <summary>The nsfs inode of the process's network namespace; 0 when it is gone or a zombie.</summary>
    public static ulong NetworkNamespaceOf(int pid) => InodeOf($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/ns/net");

    /// <summary>The inode of the file at <paramref name="path"/> (following links: a namespace file's is the namespace's); 0 when missing.</summary>
    public static ulong InodeOf(string path) => StatIdentity.Of(path)?.Inode ?? 0;

    /// <summary>The process's state, session and start time; null when there is no such process.</summary>
    public static ProcessStat? Stat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        // "pid (comm) S ppid pgrp session ..." where comm may hold spaces and parentheses: fields follow the last ')'.
        int close = text.LastIndexOf(')');
        if (close < 0) return null;
        var fields = text[(close + 2)..].Split(' ');
        if (fields.Length < 20) return null;
        return new ProcessStat(pid, fields[0][0],
            int.Parse(fields[3], CultureInfo.InvariantCulture),
            ulong.Parse(fields[19], CultureInfo.InvariantCulture));
    }

    /// <summary>True when the process's environment holds NAME=VALUE exactly (read from /proc/PID/environ).</summary>
    public static bool HasEnvironment(int pid, string name, string value)
    {
        byte[] environ;
        try
        {
            environ = File.ReadAllBytes($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/environ");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
        var wanted = Encoding.UTF8.GetBytes($"{name}={value}\0");
        var span = environ.AsSpan();
        for (int start = 0; start < span.Length;)
        {
            int end = span[start..].IndexOf((byte)0);
            int length = end < 0 ? span.Length - start : end + 1;
            if (span.Slice(start, length).SequenceEqual(wanted)) return true;
            start += length;
        }
        return false;
    }

    /// <summary>SIGKILL; false when the process was already gone.</summary>
    public static bool Kill(int pid)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pid);
        if (Libc.Kill(pid, Libc.SIGKILL) == 0) return true;
        int errno = Errno.Last;
        return errno == Errno.ESRCH ? false : throw new KernelException($"kill process {pid}", errno);
    }

    private static IEnumerable<int> Pids()
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
            if (int.TryParse(Path.GetFileName(dir.AsSpan()), NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
                yield return pid;
    }
}

/// <summary>What /proc/PID/stat says of a process: its state letter ('Z' for a zombie), session and start time (clock ticks after boot).</summary>
public readonly record struct ProcessStat(int Pid, char State, int Session, ulong StartTime)
{
    public bool IsZombie => State is 'Z' or 'X';
}
