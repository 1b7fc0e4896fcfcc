using System.Diagnostics;
using System.Globalization;

namespace Plexus.Bench.Kernel;

/// <summary>
/// Waits for the machine to go quiet between phases. Deleting namespaces and links leaves the kernel work
/// to do afterwards (netns cleanup and RCU callbacks run in kernel worker threads), which would otherwise be
/// billed to the next phase's first attaches. While it waits the benchmark itself is idle, so a machine that
/// never goes quiet is busy with someone else's work, and the phase that follows is timed on a loaded machine.
/// </summary>
internal static class Quiesce
{
    public const double QuietBusyFraction = 0.10;

    /// <summary>
    /// Waits until the CPUs were less than <see cref="QuietBusyFraction"/> busy over two 100 ms windows in a row,
    /// or the timeout passes. Returns how busy the last window was (NaN without /proc/stat).
    /// </summary>
    public static double Wait(CancellationToken cancel, double timeoutSeconds = 20)
    {
        var sw = Stopwatch.StartNew();
        int quietWindows = 0;
        double busy = double.NaN;
        var previous = Read();
        while (sw.Elapsed.TotalSeconds < timeoutSeconds && quietWindows < 2)
        {
            cancel.WaitHandle.WaitOne(100);
            cancel.ThrowIfCancellationRequested();
            var now = Read();
            if (now is null || previous is null) return double.NaN; // no /proc/stat: nothing to wait on
            long total = now.Value.Total - previous.Value.Total, idle = now.Value.Idle - previous.Value.Idle;
            busy = total > 0 ? (double)(total - idle) / total : 0;
            quietWindows = busy < QuietBusyFraction ? quietWindows + 1 : 0;
            previous = now;
        }
        return busy;
    }

    /// <summary>Total and idle (idle + iowait) jiffies of all CPUs, from the first line of /proc/stat; null without it.</summary>
    internal static (long Total, long Idle)? Read()
    {
        try
        {
            using var reader = new StreamReader("/proc/stat");
            var fields = reader.ReadLine()?.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields is null || fields.Length < 6 || fields[0] != "cpu") return null;
            long total = 0;
            // user nice system idle iowait irq softirq steal (guest time is already counted in user)
            for (int i = 1; i < Math.Min(fields.Length, 9); i++) total += long.Parse(fields[i], CultureInfo.InvariantCulture);
            long idle = long.Parse(fields[4], CultureInfo.InvariantCulture) + long.Parse(fields[5], CultureInfo.InvariantCulture);
            return (total, idle);
        }
        catch (IOException)
        {
            return null;
        }
    }
}
