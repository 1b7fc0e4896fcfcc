namespace Plexus.Bench.Compare;

/// <summary>One target of issue 7, how the run measured against it. Reported, never asserted.</summary>
internal sealed record TargetCheck(string Target, string Measured, bool? Met)
{
    /// <summary>A figure the issue asks for without a bar: reported, never met or missed.</summary>
    public bool Informational { get; init; }
}

/// <summary>
/// The issue's targets: attach through the API at or below 2 ms (p50) at N = 1000, at least 15x faster than
/// the CNI bridge plugin and 25x faster than docker network connect, at most 1.5x slower at N = 1000 than at
/// N = 10; 1000 published ports in under 50 ms, with no added process and under 5 MB added memory.
/// A run without N = 1000 (--quick) checks the largest N it has and says so.
/// </summary>
internal static class Targets
{
    public const string Plexus = "plexus-api";
    public const double AttachP50Milliseconds = 2;
    public const double FasterThanCni = 15;
    public const double FasterThanDocker = 25;
    public const double MaxScaling = 1.5;
    public const int PortsCount = 1000;
    public const double PortsMilliseconds = 50;
    public const double PortsMegabytes = 5;

    public static List<TargetCheck> Check(IReadOnlyList<SystemResult> results)
    {
        var checks = new List<TargetCheck>();
        var plexus = results.FirstOrDefault(r => r.Name == Plexus);
        var phases = plexus?.Phases ?? [];
        if (phases.Count == 0)
        {
            checks.Add(new TargetCheck("Plexus API attach figures", plexus?.NotMeasured ?? "not measured", null));
            return checks;
        }
        var large = phases.MaxBy(p => p.N)!;
        var small = phases.MinBy(p => p.N)!;
        string at = large.N == 1000 ? "N=1000" : $"N={large.N} (N=1000 not run)";
        double p50 = large.AttachSummary.P50;
        var floor = results.FirstOrDefault(r => r.Name == "floor")?.Phases.FirstOrDefault(p => p.N == large.N);
        var floorText = floor is null ? "" : Report.Inv($" (the floor, the kernel work alone: {floor.AttachSummary.P50:F3} ms)");
        checks.Add(new TargetCheck($"API attach p50 <= {AttachP50Milliseconds} ms at {at}", Report.Inv($"{p50:F3} ms{floorText}"), p50 <= AttachP50Milliseconds));
        foreach (var (other, factor, label) in new[] { ("cni", FasterThanCni, "the CNI bridge plugin"), ("docker", FasterThanDocker, "docker network connect") })
        {
            var theirs = results.FirstOrDefault(r => r.Name == other)?.Phases.FirstOrDefault(p => p.N == large.N);
            var target = Report.Inv($"API attach >= {factor}x faster than {label} at {at}");
            checks.Add(theirs is null
                ? new TargetCheck(target, NotMeasured(results, other), null)
                : new TargetCheck(target, Report.Inv($"{theirs.AttachSummary.P50 / p50:F1}x ({theirs.AttachSummary.P50:F2} ms vs {p50:F3} ms)"), theirs.AttachSummary.P50 / p50 >= factor));
        }
        if (small.N != large.N)
        {
            double ratio = p50 / small.AttachSummary.P50;
            checks.Add(new TargetCheck(Report.Inv($"API attach at N={large.N} no more than {MaxScaling}x slower than at N={small.N} (p50)"),
                Report.Inv($"{ratio:F2}x ({p50:F3} ms vs {small.AttachSummary.P50:F3} ms)"), ratio <= MaxScaling));
        }
        var ports = plexus!.Ports.FirstOrDefault(p => p.Count == PortsCount);
        if (ports is null)
        {
            var why = plexus.Failed("ports") ? "the ports scenario failed" : $"{PortsCount} ports not run (--quick runs {string.Join(", ", plexus.Ports.Select(p => p.Count))})";
            checks.Add(new TargetCheck($"{PortsCount} published ports: < {PortsMilliseconds} ms, no added process, < {PortsMegabytes} MB added", why, null));
        }
        else
        {
            checks.Add(new TargetCheck($"{PortsCount} published ports in < {PortsMilliseconds} ms (time the ports add to a sandbox create)",
                Report.Inv($"{ports.AddedMilliseconds:F1} ms ({ports.WithPortsMilliseconds:F1} ms with, {ports.BaselineMilliseconds:F1} ms without)"), ports.AddedMilliseconds < PortsMilliseconds));
            checks.Add(new TargetCheck($"{PortsCount} published ports: no added process", Report.Inv($"{ports.ProcessesAdded} added"), ports.ProcessesAdded <= 0));
            checks.Add(new TargetCheck($"{PortsCount} published ports: < {PortsMegabytes} MB added memory (plexusd's RSS)",
                Report.Inv($"{ports.RssAddedBytes / 1048576.0:F2} MB"), ports.RssAddedBytes < PortsMegabytes * 1048576));
        }
        return checks;
    }

    public const double DetachP50Milliseconds = 3;
    public const double ThroughputOfFloor = 1 / 1.5;

    /// <summary>
    /// Issue 13's speed targets: detach p50 at or below 3 ms; 200 attaches by 8 clients at no less than the
    /// floor's rate over 1.5; published ports faster than netavark at every count measured; and, reported
    /// without a bar, what Plexus adds to the floor's attach at the largest N.
    /// </summary>
    public static List<TargetCheck> CheckIssue13(IReadOnlyList<SystemResult> results)
    {
        var checks = new List<TargetCheck>();
        var plexus = results.FirstOrDefault(r => r.Name == Plexus);
        var floor = results.FirstOrDefault(r => r.Name == "floor");
        if (plexus is null || plexus.Phases.Count == 0)
        {
            checks.Add(new TargetCheck("Plexus API figures", plexus?.NotMeasured ?? "not measured", null));
            return checks;
        }
        var large = plexus.Phases.MaxBy(p => p.N)!;
        if (floor?.Phases.FirstOrDefault(p => p.N == large.N) is { } f)
            checks.Add(new TargetCheck(Report.Inv($"API attach p50 at N={large.N}: Plexus's own time over the floor (reported)"),
                Report.Inv($"{large.AttachSummary.P50 - f.AttachSummary.P50:F3} ms ({large.AttachSummary.P50:F3} ms against the floor's {f.AttachSummary.P50:F3} ms, {large.AttachSummary.P50 / f.AttachSummary.P50:F2}x)"),
                null) { Informational = true });
        foreach (var p in plexus.Phases)
            checks.Add(new TargetCheck(Report.Inv($"API detach p50 <= {DetachP50Milliseconds} ms at N={p.N}"),
                Report.Inv($"{p.DetachSummary.P50:F3} ms"), p.DetachSummary.P50 <= DetachP50Milliseconds));
        if (plexus.Throughput is { } t)
        {
            var target = Report.Inv($"{t.Count} attaches by {t.Clients} clients at >= 1/1.5 of the floor's rate");
            checks.Add(floor?.Throughput is { } ft
                ? new TargetCheck(target, Report.Inv($"{t.PerSecond:F0}/s against the floor's {ft.PerSecond:F0}/s ({ft.PerSecond / t.PerSecond:F2}x slower)"), t.PerSecond >= ft.PerSecond * ThroughputOfFloor)
                : new TargetCheck(target, NotMeasured(results, "floor"), null));
        }
        var netavark = results.FirstOrDefault(r => r.Name == "netavark");
        foreach (var ports in plexus.Ports)
        {
            var target = Report.Inv($"{ports.Count} published ports added faster than netavark adds them");
            checks.Add(netavark?.Ports.FirstOrDefault(n => n.Count == ports.Count) is { } theirs
                ? new TargetCheck(target, Report.Inv($"{ports.AddedMilliseconds:F1} ms against {theirs.AddedMilliseconds:F1} ms ({theirs.AddedMilliseconds / ports.AddedMilliseconds:F2}x)"), ports.AddedMilliseconds < theirs.AddedMilliseconds)
                : new TargetCheck(target, NotMeasured(results, "netavark"), null));
        }
        return checks;
    }

    private static string NotMeasured(IReadOnlyList<SystemResult> results, string name) =>
        results.FirstOrDefault(r => r.Name == name) is { } r
            ? r.NotMeasured is { } why ? "not measured: " + why : "not measured at this N"
            : "not in this run (--systems)";
}
