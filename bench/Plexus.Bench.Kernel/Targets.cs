namespace Plexus.Bench.Kernel;

/// <summary>
/// The targets for the in-process attach and how the run measured against them. They are reported,
/// never asserted: a slow machine must not fail a build.
/// </summary>
internal sealed class Targets
{
    public const string Method = "plexus";
    public const double MedianMilliseconds = 0.5;
    public const double MaxScaling = 1.5;

    private Targets(IReadOnlyList<PhaseResult> phases)
    {
        Medians = phases.Where(p => p.Method == Method).Select(p => (p.Count, p.AttachSummary.P50 / 1000)).ToList();
        MedianMet = Medians.Count > 0 && Medians.All(m => m.Milliseconds <= MedianMilliseconds);
        Scalings = phases.Select(p => p.Method).Distinct().Select(m => Scaling.Of(phases, m)).OfType<Scaling>().ToList();
        OwnScaling = Scalings.FirstOrDefault(s => s.Method == Method);
        ScalingMet = OwnScaling is { } s && s.Ratio <= MaxScaling;
    }

    /// <summary>The in-process attach median at each N, in milliseconds.</summary>
    public List<(int Count, double Milliseconds)> Medians { get; }
    public bool MedianMet { get; }
    public List<Scaling> Scalings { get; }
    public Scaling? OwnScaling { get; }
    public bool ScalingMet { get; }

    public static Targets Of(IReadOnlyList<PhaseResult> phases) => new(phases);
}

/// <summary>
/// Cost at the largest N relative to the smallest: the median of the last <c>small</c> attaches of the large
/// run (made with the bridge already holding large-small ports) over the median of all attaches of the small
/// run. With N = 100 and 1000: attaches 901 to 1000 against attaches 1 to 100. As a cross-check that no drift
/// of the machine between the two runs is at play, the same tail is also set against the first <c>small</c>
/// attaches of the large run itself.
/// </summary>
internal sealed record Scaling(string Method, int SmallCount, int LargeCount, double SmallMedian, double LargeHeadMedian, double LargeTailMedian)
{
    public double Ratio => LargeTailMedian / SmallMedian;

    public double WithinRunRatio => LargeTailMedian / LargeHeadMedian;

    public static string Definition(int small, int large) =>
        $"median of the last {small} attaches at N={large} (attaches {large - small + 1}-{large}) over the median of all {small} attaches at N={small}";

    public static Scaling? Of(IReadOnlyList<PhaseResult> phases, string method)
    {
        var mine = phases.Where(p => p.Method == method).OrderBy(p => p.Count).ToList();
        if (mine.Count < 2 || mine[0].Count == mine[^1].Count) return null;
        PhaseResult small = mine[0], large = mine[^1];
        return new Scaling(method, small.Count, large.Count, Summary.Median(small.Attach),
            Summary.Median(large.Attach.Take(small.Count)), Summary.Median(large.LastAttaches(small.Count)));
    }
}
