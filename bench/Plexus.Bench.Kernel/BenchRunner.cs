using System.Diagnostics;
using Plexus.Kernel.Namespaces;
using Plexus.Kernel.Rtnl;

namespace Plexus.Bench.Kernel;

/// <summary>
/// Runs one phase: one method attaching N sandboxes to a fresh bridge. The bridge and all N namespaces are
/// made first (untimed); then each attach is timed alone, in order, so the k-th attach finds k-1 ports on the
/// bridge; then every sandbox is checked (untimed); then each detach is timed; then the phase's objects go.
/// </summary>
internal sealed class BenchRunner(RtNetlink host, NamespaceDirectory namespaces, BenchOptions options, TextWriter log, CancellationToken cancel)
{
    public PhaseResult Run(IAttacher attacher, string tag, int count)
    {
        var result = new PhaseResult(attacher.Name, count, attacher.Steps);
        var setup = Stopwatch.StartNew();
        using var bed = TestBed.Create(host, namespaces, tag, count, options.SandboxIpv6, cancel);
        result.SetupMilliseconds = setup.Elapsed.TotalMilliseconds;
        log.WriteLine($"  {attacher.Name,-13} N={count,-5} bridge and {count} namespaces ready in {result.SetupMilliseconds / 1000:F1} s");
        result.BusyBeforeAttach = Quiesce.Wait(cancel);

        var clock = new StepClock(attacher.Steps.Count);
        var phase = Stopwatch.StartNew();
        foreach (var sandbox in bed.Sandboxes)
        {
            cancel.ThrowIfCancellationRequested();
            Pause();
            long start = clock.Start();
            attacher.Attach(sandbox, bed.Bridge, clock);
            result.Attach.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
            for (int step = 0; step < result.Steps.Length; step++)
                result.Steps[step].Add(clock.Microseconds(step));
        }
        var attachTime = phase.Elapsed;

        foreach (var sandbox in bed.Sandboxes)
        {
            cancel.ThrowIfCancellationRequested();
            bed.Verify(sandbox);
        }
        // Bringing links up starts kernel timers and workers (IPv6 DAD, router solicitations); let the burst
        // settle so the detaches are not billed for what the attaches set off.
        result.BusyBeforeDetach = Quiesce.Wait(cancel);

        phase.Restart();
        foreach (var sandbox in bed.Sandboxes)
        {
            cancel.ThrowIfCancellationRequested();
            Pause();
            long start = Stopwatch.GetTimestamp();
            attacher.Detach(sandbox);
            result.Detach.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
        }
        log.WriteLine($"  {attacher.Name,-13} N={count,-5} attached in {attachTime.TotalSeconds:F2} s, all {count} verified, detached in {phase.Elapsed.TotalSeconds:F2} s");
        return result;
    }

    private void Pause()
    {
        if (options.GapMilliseconds > 0) Thread.Sleep(options.GapMilliseconds);
    }
}
