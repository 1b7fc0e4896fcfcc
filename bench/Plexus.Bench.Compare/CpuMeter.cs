using System.Globalization;

namespace Plexus.Bench.Compare;

/// <summary>
/// Where the CPU went over a stretch of time: this benchmark process (the clients), the system's resident
/// processes (the daemon), and the whole machine, in clock ticks from /proc. Ticks are 10 ms, so it is read over
/// all throughput rounds after the first together, not per round.
/// </summary>
internal sealed class CpuMeter(IReadOnlyList<int> daemon)
{
    private (long Self, long Daemon, long Busy, long Total) _begun, _sum;
    private int _operations;

    /// <summary>Starts a measured stretch.</summary>
    public void Begin() => _begun = Read(daemon);

    /// <summary>Ends the stretch begun last, which did <paramref name="operations"/> operations.</summary>
    public void End(int operations)
    {
        var now = Read(daemon);
        _sum = (_sum.Self + now.Self - _begun.Self, _sum.Daemon + now.Daemon - _begun.Daemon,
            _sum.Busy + now.Busy - _begun.Busy, _sum.Total + now.Total - _begun.Total);
        _operations += operations;
    }

    /// <summary>The stretches so far, per operation; null before any.</summary>
    public CpuPerOperation? Summary()
    {
        if (_operations == 0) return null;
        const double tickUs = 1e6 / 100; // USER_HZ
        double per(long ticks) => ticks * tickUs / _operations;
        return new CpuPerOperation(per(_sum.Self), per(_sum.Daemon), per(_sum.Busy), _sum.Total > 0 ? 1 - (double)_sum.Busy / _sum.Total : 0);
    }

    private static (long Self, long Daemon, long Busy, long Total) Read(IReadOnlyList<int> daemon)
    {
        long d = 0;
        foreach (var pid in daemon) d += ProcessTicks(pid);
        var (busy, total) = MachineTicks();
        return (ProcessTicks(Environment.ProcessId), d, busy, total);
    }

    /// <summary>utime + stime of a process (all its threads), 0 for one that is gone.</summary>
    private static long ProcessTicks(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            // the command may hold spaces and parentheses: fields count from the last ')'
            var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    /// <summary>Busy and total ticks of all CPUs (<see cref="Quiesce.Read"/>); zero without /proc/stat.</summary>
    private static (long Busy, long Total) MachineTicks() => Quiesce.Read() is { } t ? (t.Total - t.Idle, t.Total) : (0, 0);
}

/// <summary>CPU time per operation in microseconds: the benchmark's clients, the daemon, the whole machine; the machine's idle fraction.</summary>
internal sealed record CpuPerOperation(double ClientsUs, double DaemonUs, double MachineUs, double Idle)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"CPU per attach: clients {ClientsUs:F0} us, daemon {DaemonUs:F0} us, whole machine {MachineUs:F0} us, machine idle {Idle:P0}");
}
