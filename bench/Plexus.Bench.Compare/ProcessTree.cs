using System.Globalization;

namespace Plexus.Bench.Compare;

/// <summary>Processes from /proc: descendants, resident memory, command lines.</summary>
internal static class ProcessTree
{
    /// <summary>The PIDs under <paramref name="root"/> (not itself), children before grandchildren.</summary>
    public static List<int> Descendants(int root)
    {
        var result = new List<int>();
        var queue = new Queue<int>([root]);
        while (queue.Count > 0)
        {
            foreach (var child in Children(queue.Dequeue()))
            {
                result.Add(child);
                queue.Enqueue(child);
            }
        }
        return result;
    }

    private static List<int> Children(int pid)
    {
        var children = new List<int>();
        try
        {
            foreach (var task in Directory.GetDirectories($"/proc/{pid}/task"))
            {
                var text = File.ReadAllText(Path.Combine(task, "children"));
                foreach (var part in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                    children.Add(int.Parse(part, CultureInfo.InvariantCulture));
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // gone meanwhile
        }
        return children;
    }

    /// <summary>Resident set size in bytes (VmRSS), 0 for a process that is gone.</summary>
    public static long Rss(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // gone meanwhile
        }
        return 0;
    }

    /// <summary>The command line, arguments joined by spaces; empty for a process that is gone.</summary>
    public static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    /// <summary>Every PID whose command line contains <paramref name="text"/>.</summary>
    public static List<int> WithCommandLineContaining(string text)
    {
        var result = new List<int>();
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int pid) || pid == Environment.ProcessId) continue;
            if (CommandLine(pid).Contains(text, StringComparison.Ordinal)) result.Add(pid);
        }
        return result;
    }

    public static bool Alive(int pid) => Directory.Exists($"/proc/{pid}");
}
