using System.Diagnostics;

namespace Plexus.Bench.Compare;

/// <summary>
/// PLEXUS_COMPARE_PERF=PREFIX: samples the whole machine (perf record -a -g) over the timed throughput rounds
/// after the first, and nothing else (perf's control FIFO enables it for each round), into PREFIX-SYSTEM.data;
/// PLEXUS_COMPARE_PERF_EVENTS=EVENTS records those events (perf record -e) instead of sampling.
/// Unset, every call does nothing.
/// </summary>
internal sealed class RoundProfiler : IDisposable
{
    private readonly Process? _perf;
    private readonly StreamWriter? _control;
    private readonly StreamReader? _ack;
    private readonly string? _dir;

    public RoundProfiler(string system)
    {
        if (Environment.GetEnvironmentVariable("PLEXUS_COMPARE_PERF") is not { Length: > 0 } prefix) return;
        _dir = Directory.CreateTempSubdirectory("compare-perf").FullName;
        string ctl = Path.Combine(_dir, "ctl"), ack = Path.Combine(_dir, "ack");
        foreach (var fifo in new[] { ctl, ack })
            Process.Start("mkfifo", [fifo])!.WaitForExit();
        // PLEXUS_COMPARE_PERF_EVENTS=sched:sched_switch (for one) records those events instead of sampling the CPUs.
        string[] what = Environment.GetEnvironmentVariable("PLEXUS_COMPARE_PERF_EVENTS") is { Length: > 0 } events ? ["-e", events] : ["-F", "1999"];
        _perf = Process.Start("perf", ["record", "-q", "-a", "-g", .. what, "-D", "-1", "--control", $"fifo:{ctl},{ack}", "-o", $"{prefix}-{system}.data"]);
        _control = new StreamWriter(ctl) { AutoFlush = true };
        _ack = new StreamReader(ack);
    }

    public void Enable() => Send("enable");

    public void Disable() => Send("disable");

    private void Send(string command)
    {
        if (_control is null) return;
        _control.WriteLine(command);
        _ack!.ReadLine();
    }

    public void Dispose()
    {
        if (_perf is null) return;
        _control!.Dispose();
        _ack!.Dispose();
        Process.Start("kill", ["-INT", _perf.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
        _perf.WaitForExit();
        Directory.Delete(_dir!, recursive: true);
    }
}
