namespace Plexus.Bench.Kernel;

/// <summary>The raw figures of one method at one N, in microseconds, in the order the sandboxes were attached.</summary>
internal sealed class PhaseResult(string method, int count, IReadOnlyList<string> steps)
{
    public string Method { get; } = method;
    public int Count { get; } = count;
    public IReadOnlyList<string> StepNames { get; } = steps;
    public List<double> Attach { get; } = new(count);
    public List<double> Detach { get; } = new(count);

    /// <summary>Per step, one duration per attach.</summary>
    public List<double>[] Steps { get; } = steps.Select(_ => new List<double>(count)).ToArray();

    /// <summary>Time to create the bridge and the N namespaces (untimed per attach, reported for scale).</summary>
    public double SetupMilliseconds { get; set; }

    /// <summary>How busy the CPUs were (0 to 1) just before the attaches and the detaches, the benchmark idle.</summary>
    public double BusyBeforeAttach { get; set; } = double.NaN;
    public double BusyBeforeDetach { get; set; } = double.NaN;

    /// <summary>True when the machine was busy with other work as the attaches or detaches began.</summary>
    public bool Loaded => BusyBeforeAttach >= Quiesce.QuietBusyFraction || BusyBeforeDetach >= Quiesce.QuietBusyFraction;

    public Summary AttachSummary => Summary.Of(Attach);
    public Summary DetachSummary => Summary.Of(Detach);

    /// <summary>The last <paramref name="n"/> attaches: the ones done with the most ports already on the bridge.</summary>
    public IEnumerable<double> LastAttaches(int n) => Attach.Skip(Math.Max(0, Attach.Count - n));
}
