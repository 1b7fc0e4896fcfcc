using System.Globalization;
using System.Text;

namespace Plexus.Bench.Kernel;

/// <summary>The run's figures as Markdown: summary table, per-step medians, scaling, and the targets.</summary>
internal static class MarkdownReport
{
    public static string Ipv6Setting(bool sandboxIpv6) => sandboxIpv6
        ? "IPv6 on in the sandboxes (kernel default)"
        : "IPv4-only sandboxes (net.ipv6.conf.default.disable_ipv6=1 in each namespace before its attach)";

    public static string GapSetting(int gap) => gap == 0
        ? "attaches back to back"
        : Inv($"a pause of {gap} ms before each attach and detach");

    public static string Render(MachineInfo machine, BenchOptions options, Calibration calibration,
        IReadOnlyList<IAttacher> attachers, IReadOnlyList<PhaseResult> phases)
    {
        var md = new StringBuilder();
        var sizes = phases.Select(p => p.Count).Distinct().Order().ToList();
        md.AppendLine("## Plexus kernel-layer attach benchmark").AppendLine();
        md.AppendLine(Inv($"{machine}. N = {string.Join(", ", sizes)} sandboxes on one bridge per run, {Ipv6Setting(options.SandboxIpv6)}, {GapSetting(options.GapMilliseconds)}; times in ms per sandbox.")).AppendLine();
        foreach (var a in attachers) md.AppendLine(Inv($"- **{a.Name}**: {a.Description}"));
        md.AppendLine("- attach: veth pair with its peer created as eth0 in the sandbox's namespace (made beforehand, untimed), host side on the bridge and up; lo up, eth0 up, address, default route via the gateway");
        md.AppendLine("- detach: delete the host-side veth (its peer, address and route go with it)");
        md.AppendLine(Inv($"- one rtnetlink request the kernel has nothing to do for takes {calibration.NoOpRequestMicroseconds:F1} us round trip; opening and closing an rtnetlink socket, {calibration.SocketOpenCloseMicroseconds:F1} us")).AppendLine();

        md.AppendLine("| N | method | attach p50 | attach p95 | attach p99 | attach mean | detach p50 | detach p95 | detach p99 | detach mean |");
        md.AppendLine("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var p in phases)
        {
            Summary a = p.AttachSummary, d = p.DetachSummary;
            md.AppendLine(Inv($"| {p.Count} | {p.Method} | {Ms(a.P50)} | {Ms(a.P95)} | {Ms(a.P99)} | {Ms(a.Mean)} | {Ms(d.P50)} | {Ms(d.P95)} | {Ms(d.P99)} | {Ms(d.Mean)} |"));
        }
        md.AppendLine();
        var loaded = phases.Where(p => p.Loaded).ToList();
        md.AppendLine(loaded.Count == 0
            ? Inv($"Every phase began on a quiet machine (CPUs under {Quiesce.QuietBusyFraction:P0} busy with the benchmark idle).")
            : Inv($"**Warning: other work kept the machine busy** as these phases began, so their figures are inflated: {string.Join(", ", loaded.Select(p => Inv($"{p.Method} N={p.Count} ({Math.Max(p.BusyBeforeAttach, p.BusyBeforeDetach):P0} busy)")))}."));
        md.AppendLine();
        foreach (var n in sizes)
        {
            var own = phases.FirstOrDefault(p => p.Count == n && p.Method == Targets.Method);
            if (own is null) continue;
            var others = phases.Where(p => p.Count == n && p.Method != Targets.Method)
                .Select(p => Inv($"{p.Method} {p.AttachSummary.P50 / own.AttachSummary.P50:F1}x"));
            md.AppendLine(Inv($"- median attach at N={n} relative to {Targets.Method}: {string.Join(", ", others)}"));
        }
        md.AppendLine();

        foreach (var attacher in attachers)
        {
            var mine = phases.Where(p => p.Method == attacher.Name).ToList();
            if (mine.Count == 0) continue;
            md.AppendLine(Inv($"### {attacher.Name}: median ms per step")).AppendLine();
            md.AppendLine("| step | " + string.Join(" | ", mine.Select(p => Inv($"N={p.Count}"))) + " |");
            md.AppendLine("|---|" + string.Concat(mine.Select(_ => "---:|")));
            for (int step = 0; step < attacher.Steps.Count; step++)
                md.AppendLine(Inv($"| {attacher.Steps[step]} | ") + string.Join(" | ", mine.Select(p => Ms(Summary.Median(p.Steps[step])))) + " |");
            md.AppendLine("| whole attach | " + string.Join(" | ", mine.Select(p => Ms(p.AttachSummary.P50))) + " |");
            md.AppendLine();
        }

        var targets = Targets.Of(phases);
        if (targets.Scalings.Count > 0)
            RenderScaling(md, targets, phases, attachers);

        md.AppendLine("### Targets (reported, not asserted)").AppendLine();
        md.AppendLine("| target | measured | met |");
        md.AppendLine("|---|---|---|");
        var medians = string.Join(", ", targets.Medians.Select(m => Inv($"{m.Milliseconds:F3} ms at N={m.Count}")));
        md.AppendLine(Inv($"| {Targets.Method} attach median <= {Targets.MedianMilliseconds} ms (at every N) | {medians} | {YesNo(targets.MedianMet)} |"));
        md.AppendLine(targets.OwnScaling is { } own2
            ? Inv($"| {Targets.Method} cost at N={own2.LargeCount} within {Targets.MaxScaling}x of N={own2.SmallCount} | {own2.Ratio:F2}x ({own2.WithinRunRatio:F2}x within the N={own2.LargeCount} run) | {YesNo(targets.ScalingMet)} |")
            : Inv($"| {Targets.Method} cost at the largest N within {Targets.MaxScaling}x of the smallest | needs two sizes | not measured |"));
        md.AppendLine();
        RenderShares(md, calibration, phases);
        return md.ToString();
    }

    /// <summary>The scaling ratio per method, then per step of the target method, so growth can be placed.</summary>
    private static void RenderScaling(StringBuilder md, Targets targets, IReadOnlyList<PhaseResult> phases, IReadOnlyList<IAttacher> attachers)
    {
        var first = targets.Scalings[0];
        md.AppendLine(Inv($"### Cost at N={first.LargeCount} relative to N={first.SmallCount}")).AppendLine();
        md.AppendLine(Inv($"Defined as the {Scaling.Definition(first.SmallCount, first.LargeCount)}.")).AppendLine();
        md.AppendLine(Inv($"The last column sets the same tail against the first {first.SmallCount} attaches of the N={first.LargeCount} run itself, which rules out drift of the machine between runs.")).AppendLine();
        md.AppendLine(Inv($"| method / step | median at N={first.SmallCount} | median of the last {first.SmallCount} at N={first.LargeCount} | ratio | within the N={first.LargeCount} run |"));
        md.AppendLine("|---|---:|---:|---:|---:|");
        foreach (var s in targets.Scalings)
            md.AppendLine(Inv($"| {s.Method} | {Ms(s.SmallMedian)} | {Ms(s.LargeTailMedian)} | {s.Ratio:F2}x | {s.WithinRunRatio:F2}x |"));
        var small = phases.FirstOrDefault(p => p.Method == Targets.Method && p.Count == first.SmallCount);
        var large = phases.FirstOrDefault(p => p.Method == Targets.Method && p.Count == first.LargeCount);
        var attacher = attachers.FirstOrDefault(a => a.Name == Targets.Method);
        if (small is not null && large is not null && attacher is not null)
        {
            for (int step = 0; step < attacher.Steps.Count; step++)
            {
                double before = Summary.Median(small.Steps[step]);
                double head = Summary.Median(large.Steps[step].Take(small.Count));
                double after = Summary.Median(large.Steps[step].Skip(large.Count - small.Count));
                md.AppendLine(Inv($"| {Targets.Method}: {attacher.Steps[step]} | {Ms(before)} | {Ms(after)} | {Ratio(after, before)} | {Ratio(after, head)} |"));
            }
        }
        md.AppendLine();
    }

    /// <summary>
    /// Splits the target method's median attach into a fixed cost (a no-op round trip per request: system
    /// calls and Plexus's encoding and checks; plus getting and closing the namespace's socket) and the rest,
    /// which is the kernel doing the work asked and which no caller can make cheaper.
    /// </summary>
    private static void RenderShares(StringBuilder md, Calibration calibration, IReadOnlyList<PhaseResult> phases)
    {
        foreach (var p in phases.Where(p => p.Method == Targets.Method))
        {
            double own = (KernelAttacher.Requests * calibration.NoOpRequestMicroseconds)
                + KernelAttacher.SocketSteps.Sum(step => Summary.Median(p.Steps[step]));
            double total = p.AttachSummary.P50;
            md.AppendLine(Inv($"- N={p.Count}: of the {Ms(total)} ms median {Targets.Method} attach, about {own:F0} us is fixed cost ({KernelAttacher.Requests} request round trips at the no-op price, getting and closing the namespace's socket); the other {Ms(total - own)} ms is the kernel doing the work asked, the veth pair alone {Ms(Summary.Median(p.Steps[0]))} ms."));
        }
    }

    // Below a microsecond (the socket wait when the overlap hid it) a ratio means nothing.
    private static string Ratio(double a, double b) => b >= 1 && a >= 1 ? Inv($"{a / b:F2}x") : "-";

    private static string YesNo(bool met) => met ? "yes" : "**no**";

    /// <summary>Microseconds shown as milliseconds, three decimals.</summary>
    private static string Ms(double microseconds) =>
        double.IsNaN(microseconds) ? "-" : (microseconds / 1000).ToString("F3", CultureInfo.InvariantCulture);

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
