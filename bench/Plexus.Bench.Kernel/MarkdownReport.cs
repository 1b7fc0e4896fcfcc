using System.Globalization;
using System.Text;

namespace Plexus.Bench.Kernel;

/// <summary>The run's figures as Markdown: summary table, per-step medians, scaling, and the targets.</summary>
internal static class MarkdownReport
{
    public static string Render(MachineInfo machine, IReadOnlyList<IAttacher> attachers, IReadOnlyList<PhaseResult> phases)
    {
        var md = new StringBuilder();
        var sizes = phases.Select(p => p.Count).Distinct().Order().ToList();
        md.AppendLine("## Plexus kernel-layer attach benchmark").AppendLine();
        md.AppendLine(Inv($"{machine}. N = {string.Join(", ", sizes)} sandboxes on one bridge per run; times in ms per sandbox.")).AppendLine();
        foreach (var a in attachers) md.AppendLine(Inv($"- **{a.Name}**: {a.Description}"));
        md.AppendLine("- attach: veth pair with its peer created as eth0 in the sandbox's (already made) namespace, host side on the bridge and up; lo up, eth0 up, address, default route via the gateway");
        md.AppendLine("- detach: delete the host-side veth (its peer, address and route go with it)").AppendLine();

        md.AppendLine("| N | method | attach p50 | attach p95 | attach p99 | attach mean | detach p50 | detach p95 | detach p99 | detach mean |");
        md.AppendLine("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var p in phases)
        {
            Summary a = p.AttachSummary, d = p.DetachSummary;
            md.AppendLine(Inv($"| {p.Count} | {p.Method} | {Ms(a.P50)} | {Ms(a.P95)} | {Ms(a.P99)} | {Ms(a.Mean)} | {Ms(d.P50)} | {Ms(d.P95)} | {Ms(d.P99)} | {Ms(d.Mean)} |"));
        }
        md.AppendLine();
        foreach (var n in sizes)
        {
            var own = phases.FirstOrDefault(p => p.Count == n && p.Method == Targets.Method);
            var ip = phases.FirstOrDefault(p => p.Count == n && p.Method != Targets.Method);
            if (own is not null && ip is not null)
                md.AppendLine(Inv($"At N={n} the median {ip.Method} attach takes {ip.AttachSummary.P50 / own.AttachSummary.P50:F0}x as long as the in-process one."));
        }
        md.AppendLine();

        foreach (var attacher in attachers)
        {
            var mine = phases.Where(p => p.Method == attacher.Name).ToList();
            if (mine.Count == 0) continue;
            md.AppendLine(Inv($"### Where a {attacher.Name} attach goes (median ms per step)")).AppendLine();
            md.AppendLine("| step | " + string.Join(" | ", mine.Select(p => Inv($"N={p.Count}"))) + " |");
            md.AppendLine("|---|" + string.Concat(mine.Select(_ => "---:|")));
            for (int step = 0; step < attacher.Steps.Count; step++)
                md.AppendLine(Inv($"| {attacher.Steps[step]} | ") + string.Join(" | ", mine.Select(p => Ms(Summary.Median(p.Steps[step])))) + " |");
            md.AppendLine("| whole attach | " + string.Join(" | ", mine.Select(p => Ms(p.AttachSummary.P50))) + " |");
            md.AppendLine();
        }

        var targets = Targets.Of(phases);
        if (targets.Scalings.Count > 0)
        {
            var first = targets.Scalings[0];
            md.AppendLine(Inv($"### Cost at N={first.LargeCount} relative to N={first.SmallCount}")).AppendLine();
            md.AppendLine(Inv($"Defined as the {Scaling.Definition(first.SmallCount, first.LargeCount)}.")).AppendLine();
            md.AppendLine(Inv($"| method | median at N={first.SmallCount} | median of the last {first.SmallCount} at N={first.LargeCount} | ratio |"));
            md.AppendLine("|---|---:|---:|---:|");
            foreach (var s in targets.Scalings)
                md.AppendLine(Inv($"| {s.Method} | {Ms(s.SmallMedian)} | {Ms(s.LargeTailMedian)} | {s.Ratio:F2}x |"));
            md.AppendLine();
        }

        md.AppendLine("### Targets (reported, not asserted)").AppendLine();
        md.AppendLine("| target | measured | met |");
        md.AppendLine("|---|---|---|");
        var medians = string.Join(", ", targets.Medians.Select(m => Inv($"{m.Milliseconds:F3} ms at N={m.Count}")));
        md.AppendLine(Inv($"| in-process attach median <= {Targets.MedianMilliseconds} ms (at every N) | {medians} | {YesNo(targets.MedianMet)} |"));
        md.AppendLine(targets.OwnScaling is { } own2
            ? Inv($"| in-process cost at N={own2.LargeCount} within {Targets.MaxScaling}x of N={own2.SmallCount} | {own2.Ratio:F2}x | {YesNo(targets.ScalingMet)} |")
            : "| in-process cost at the largest N within 1.5x of the smallest | needs two sizes | not measured |");
        return md.ToString();
    }

    private static string YesNo(bool met) => met ? "yes" : "**no**";

    /// <summary>Microseconds shown as milliseconds, three decimals.</summary>
    private static string Ms(double microseconds) =>
        double.IsNaN(microseconds) ? "-" : (microseconds / 1000).ToString("F3", CultureInfo.InvariantCulture);

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
