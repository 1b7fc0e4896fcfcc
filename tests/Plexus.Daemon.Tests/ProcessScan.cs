using System.Globalization;

namespace Plexus.Daemon.Tests;

/// <summary>
/// What the tests ask of /proc: the processes running exactly a command line (tests give their processes
/// a command no other process on the machine has), and the network namespace each one is in.
/// </summary>
internal static class ProcessScan
{
    /// <summary>PIDs of live processes whose argv is exactly <paramref name="argv"/>.</summary>
    public static List<int> Running(params string[] argv)
    {
        var expected = string.Join('\0', argv) + "\0";
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)) continue;
            try
            {
                if (File.ReadAllText(Path.Combine(dir, "cmdline")) == expected && !IsZombie(pid)) found.Add(pid);
            }
            catch (IOException)
            {
                // gone meanwhile
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return found;
    }

    /// <summary>Inode of the network namespace the process is in, or 0 if it is gone.</summary>
    public static ulong NetNsInode(int pid) => InodeOf($"/proc/{pid}/ns/net");

    /// <summary>Inode of the namespace file (or what a magic link in /proc points to), 0 if missing.</summary>
    public static ulong InodeOf(string path)
    {
        var (code, output) = Plexus.Testing.Processes.Run("stat", ["-L", "-c", "%i", path]);
        return code == 0 ? ulong.Parse(output.Trim(), CultureInfo.InvariantCulture) : 0;
    }

    private static bool IsZombie(int pid) => File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);

    /// <summary>Kills test processes that a failed test left behind (only those running the test's own command).</summary>
    public static void KillAll(params string[] argv)
    {
        foreach (var pid in Running(argv))
        {
            try
            {
                using var p = System.Diagnostics.Process.GetProcessById(pid);
                p.Kill();
            }
            catch (ArgumentException)
            {
            }
            catch (InvalidOperationException)
            {
            }
        }
    }

    /// <summary>A command line no other process has: sleep with a number of seconds unique to this run.</summary>
    public static string[] UniqueSleep() =>
        ["sleep", (100_000_000 + Random.Shared.Next(0, 899_999_999)).ToString(CultureInfo.InvariantCulture)];
}
