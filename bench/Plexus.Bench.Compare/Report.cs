using System.Globalization;
using System.Text;

namespace Plexus.Bench.Compare;

/// <summary>The run as Markdown: which systems ran, figures per scenario with ratios against Plexus's API, targets.</summary>
internal static class Report
{
    public static string Render(MachineInfo machine, CompareOptions options, IReadOnlyList<SystemResult> results, DateTimeOffset started, TimeSpan took)
    {
        var md = new StringBuilder();
        var plexus = results.FirstOrDefault(r => r.Name == Targets.Plexus && r.NotMeasured is null);
        md.AppendLine("## Plexus against CNI, netavark and Docker").AppendLine();
        md.AppendLine(Inv($"{machine}. Run {started:yyyy-MM-dd HH:mm} UTC, {took.TotalMinutes:F1} min{(options.Quick ? ", **--quick**" : "")}; every system inside the same private network and mount namespace, one after the other. Attach latency: {options.Pairs} attach/detach pairs on further sandboxes with N = {string.Join(", ", options.Sizes)} already attached to the network; throughput: {options.ThroughputAttaches} attaches by {options.ThroughputClients} concurrent clients, the median of {options.ThroughputRounds} round(s); times in ms. Ratios are the other system's figure over Plexus API's (how many times faster Plexus is)."));
        md.AppendLine();

        md.AppendLine("| system | measured | what |");
        md.AppendLine("|---|---|---|");
        foreach (var r in results)
        {
            var status = r.NotMeasured is { } why ? "**not measured**: " + Escape(why)
                : r.Errors.Count == 0 ? "yes" : "partly: " + Escape(string.Join("; ", r.Errors.Select(e => $"{e.Scenario} failed ({e.Message})")));
            md.AppendLine(Inv($"| {r.Name} | {status} | {Escape(r.Description)} |"));
        }
        md.AppendLine();

        RenderAttach(md, options, results, plexus);
        RenderThroughput(md, results, plexus);
        RenderNetworks(md, results, plexus);
        RenderPorts(md, results);
        RenderResident(md, options, results);
        RenderCli(md, results, plexus);
        RenderDockerPlugin(md, results);

        md.AppendLine("### Targets (reported, not asserted)").AppendLine();
        md.AppendLine("| target | measured | met |");
        md.AppendLine("|---|---|---|");
        foreach (var t in Targets.Check(results))
            md.AppendLine(Inv($"| {t.Target} | {Escape(t.Measured)} | {Met(t)} |"));
        md.AppendLine();
        md.AppendLine("### Issue 13's speed targets (reported, not asserted)").AppendLine();
        md.AppendLine("| target | measured | met |");
        md.AppendLine("|---|---|---|");
        foreach (var t in Targets.CheckIssue13(results))
            md.AppendLine(Inv($"| {t.Target} | {Escape(t.Measured)} | {Met(t)} |"));
        md.AppendLine();
        var loaded = results.SelectMany(r => r.Phases.Where(p => p.BusyBefore >= Quiesce.QuietBusyFraction).Select(p => Inv($"{r.Name} N={p.N} ({p.BusyBefore:P0})"))).ToList();
        md.AppendLine(loaded.Count == 0
            ? "Every attach phase began on a quiet machine (CPUs under 10% busy with the benchmark idle)."
            : "**The machine was busy with other work** when these phases began (CPU busy with the benchmark idle), so their figures are inflated: " + string.Join(", ", loaded) + ".");
        return md.ToString();
    }

    private static void RenderAttach(StringBuilder md, CompareOptions options, IReadOnlyList<SystemResult> results, SystemResult? plexus)
    {
        md.AppendLine("### Attach and detach latency (ms)").AppendLine();
        md.AppendLine("| system | N | attach p50 | attach p95 | attach p99 | detach p50 | detach p95 | detach p99 | attach p50 vs Plexus API |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results.Where(r => r.Phases.Count > 0))
        {
            foreach (var p in r.Phases)
            {
                Summary a = p.AttachSummary, d = p.DetachSummary;
                var own = plexus?.Phases.FirstOrDefault(x => x.N == p.N);
                md.AppendLine(Inv($"| {r.Name} | {p.N} | {F(a.P50)} | {F(a.P95)} | {F(a.P99)} | {F(d.P50)} | {F(d.P95)} | {F(d.P99)} | {Ratio(a.P50, own?.AttachSummary.P50)} |"));
            }
        }
        md.AppendLine();
        foreach (var r in results.Where(r => r.Phases.Count >= 2))
        {
            var first = r.Phases[0];
            var last = r.Phases[^1];
            md.AppendLine(Inv($"- {r.Name}: attach p50 at N={last.N} is {last.AttachSummary.P50 / first.AttachSummary.P50:F2}x that at N={first.N}"));
        }
        // What Plexus adds on top of the kernel work itself: HTTP, lookups, IPAM, store, sandbox files.
        var floor = results.FirstOrDefault(r => r.Name == "floor" && r.Phases.Count > 0);
        if (floor is not null && plexus is not null)
        {
            foreach (var p in plexus.Phases)
            {
                if (floor.Phases.FirstOrDefault(f => f.N == p.N) is not { } f) continue;
                md.AppendLine(Inv($"- N={p.N}: Plexus API attach p50 {F(p.AttachSummary.P50)} ms = the floor's {F(f.AttachSummary.P50)} ms (the kernel's own work) + {F(p.AttachSummary.P50 - f.AttachSummary.P50)} ms of Plexus (HTTP, lookups, IPAM, store, sandbox files)"));
            }
        }
        md.AppendLine();
    }

    private static void RenderThroughput(StringBuilder md, IReadOnlyList<SystemResult> results, SystemResult? plexus)
    {
        var measured = results.Where(r => r.Throughput is not null).ToList();
        if (measured.Count == 0) return;
        md.AppendLine("### Throughput: concurrent attaches").AppendLine();
        md.AppendLine("| system | attaches | clients | wall time (s) | attaches/s | latency p50 | latency p99 | Plexus API's rate over theirs |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in measured)
        {
            var t = r.Throughput!;
            var s = Summary.Of(t.Latencies);
            md.AppendLine(Inv($"| {r.Name} | {t.Count} | {t.Clients} | {t.WallMilliseconds / 1000:F2} | {t.PerSecond:F1} | {F(s.P50)} | {F(s.P99)} | {Ratio(plexus?.Throughput?.PerSecond, t.PerSecond)} |"));
        }
        md.AppendLine();
        foreach (var r in measured.Where(r => r.Throughput!.RoundMilliseconds.Count > 1))
            md.AppendLine(Inv($"- {r.Name}: {string.Join(", ", r.Throughput!.RoundRates.Select(x => x.ToString("F0", CultureInfo.InvariantCulture)))} attaches/s in its rounds, in the order run{(r.Throughput.Cpu is { } cpu ? $"; over the rounds after the first, {cpu}" : "")}"));
        if (measured.Any(r => r.Throughput!.RoundMilliseconds.Count > 1)) md.AppendLine();
    }

    private static void RenderNetworks(StringBuilder md, IReadOnlyList<SystemResult> results, SystemResult? plexus)
    {
        md.AppendLine("### Network create and delete (ms, median)").AppendLine();
        md.AppendLine("| system | create | delete | create vs Plexus API | delete vs Plexus API |");
        md.AppendLine("|---|---:|---:|---:|---:|");
        double? ownCreate = plexus is { NetworkCreate.Count: > 0 } ? Summary.Median(plexus.NetworkCreate) : null;
        double? ownDelete = plexus is { NetworkDelete.Count: > 0 } ? Summary.Median(plexus.NetworkDelete) : null;
        foreach (var r in results.Where(r => r.NotMeasured is null))
        {
            if (r.NetworkUnsupported is { } why)
            {
                md.AppendLine(Inv($"| {r.Name} | n/a | n/a | {Escape(why)} | |"));
                continue;
            }
            if (r.NetworkCreate.Count == 0) continue;
            double c = Summary.Median(r.NetworkCreate), d = Summary.Median(r.NetworkDelete);
            md.AppendLine(Inv($"| {r.Name} | {F(c)} | {F(d)} | {Ratio(c, ownCreate)} | {Ratio(d, ownDelete)} |"));
        }
        md.AppendLine();
    }

    private static void RenderPorts(StringBuilder md, IReadOnlyList<SystemResult> results)
    {
        md.AppendLine("### Published ports on one sandbox").AppendLine();
        md.AppendLine("A new sandbox on a network with the ports published (TCP, host ports 20000 up), as each system's users do it, against the same sandbox without ports; processes and resident memory added to the system's resident processes (daemon, helpers, docker-proxy), kernel memory not counted.").AppendLine();
        md.AppendLine("| system | ports | with ports (ms) | without (ms) | added by the ports (ms) | processes added | memory added (MB) | remove (ms) |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results.Where(r => r.NotMeasured is null))
        {
            if (r.PortsUnsupported is { } why)
            {
                md.AppendLine(Inv($"| {r.Name} | n/a | {Escape(why)} | | | | | |"));
                continue;
            }
            foreach (var p in r.Ports)
                md.AppendLine(Inv($"| {r.Name} | {p.Count} | {p.WithPortsMilliseconds:F1} | {p.BaselineMilliseconds:F1} | {p.AddedMilliseconds:F1} | {p.ProcessesAdded} | {p.RssAddedBytes / 1048576.0:F2} | {p.RemoveMilliseconds:F1} |"));
        }
        md.AppendLine();
    }

    private static void RenderResident(StringBuilder md, CompareOptions options, IReadOnlyList<SystemResult> results)
    {
        md.AppendLine(Inv($"### Resident memory with N = {options.MaxN} attached")).AppendLine();
        md.AppendLine("| system | daemon RSS (MB) | processes | all of them (MB) |");
        md.AppendLine("|---|---:|---:|---:|");
        foreach (var r in results.Where(r => r.NotMeasured is null && r.ResidentAtMaxN is not null))
        {
            var m = r.ResidentAtMaxN!;
            md.AppendLine(m.Processes == 0
                ? Inv($"| {r.Name} | no daemon | 0 | 0 |")
                : Inv($"| {r.Name} | {m.DaemonRssBytes / 1048576.0:F1} | {m.Processes} | {m.TotalRssBytes / 1048576.0:F1} |"));
        }
        md.AppendLine();
        md.AppendLine("Docker's processes are dockerd, its containerd and one containerd shim per running container (the containers' own `sleep` is not counted); CNI and netavark keep no process between operations.").AppendLine();
    }

    private static void RenderCli(StringBuilder md, IReadOnlyList<SystemResult> results, SystemResult? plexus)
    {
        var cli = results.FirstOrDefault(r => r.Name == "plexus-cli" && r.Phases.Count > 0);
        if (cli is null || plexus is null) return;
        var pairs = cli.Phases.Select(c => (c.N, Cli: c.AttachSummary.P50, Api: plexus.Phases.FirstOrDefault(p => p.N == c.N)?.AttachSummary.P50)).Where(x => x.Api is not null).ToList();
        if (pairs.Count == 0) return;
        md.AppendLine("### The CLI's own cost").AppendLine();
        md.AppendLine("`plexus network connect` is one process per operation: the difference to the API is the CLI's start-up (a native process, argument parsing) and its one HTTP request on a fresh connection.").AppendLine();
        foreach (var (n, c, a) in pairs)
            md.AppendLine(Inv($"- N={n}: CLI attach p50 {F(c)} ms, API {F(a!.Value)} ms: the CLI adds {F(c - a.Value)} ms"));
        md.AppendLine();
    }

    /// <summary>Issue 15: the same dockerd with Plexus as its network plugin, against Docker's own bridge driver.</summary>
    private static void RenderDockerPlugin(StringBuilder md, IReadOnlyList<SystemResult> results)
    {
        var withPlexus = results.FirstOrDefault(r => r.Name == "docker-plexus" && r.NotMeasured is null);
        var docker = results.FirstOrDefault(r => r.Name == "docker" && r.NotMeasured is null);
        if (withPlexus is null || docker is null) return;
        md.AppendLine("### Docker with Plexus as its network plugin, against Docker's bridge driver").AppendLine();
        md.AppendLine("The same dockerd operations; ratios are docker's figure over docker-plexus's (above 1: Plexus's driver is faster).").AppendLine();
        foreach (var p in withPlexus.Phases)
        {
            if (docker.Phases.FirstOrDefault(d => d.N == p.N) is not { } d) continue;
            md.AppendLine(Inv($"- N={p.N}: docker network connect p50 {F(p.AttachSummary.P50)} ms with Plexus, {F(d.AttachSummary.P50)} ms with the bridge driver ({Ratio(d.AttachSummary.P50, p.AttachSummary.P50)}); disconnect {F(p.DetachSummary.P50)} against {F(d.DetachSummary.P50)} ms ({Ratio(d.DetachSummary.P50, p.DetachSummary.P50)})"));
        }
        if (withPlexus.Throughput is { } t && docker.Throughput is { } u)
            md.AppendLine(Inv($"- concurrent connects: {t.PerSecond:F1}/s with Plexus, {u.PerSecond:F1}/s with the bridge driver ({Ratio(t.PerSecond, u.PerSecond)})"));
        foreach (var p in withPlexus.Ports)
        {
            if (docker.Ports.FirstOrDefault(d => d.Count == p.Count) is not { } d) continue;
            md.AppendLine(Inv($"- docker run -p with {p.Count} ports: the ports add {p.AddedMilliseconds:F0} ms and {p.ProcessesAdded} process(es) with Plexus, {d.AddedMilliseconds:F0} ms and {d.ProcessesAdded} with the bridge driver (the new container's shim counts in both; the rest is a docker-proxy per port and address family); removed in {p.RemoveMilliseconds:F0} against {d.RemoveMilliseconds:F0} ms"));
        }
        md.AppendLine();
    }

    private static string Met(TargetCheck t) => t.Informational ? "-" : t.Met is null ? "not measured" : t.Met.Value ? "yes" : "**no**";

    private static string Ratio(double? theirs, double? ours) =>
        theirs is { } t && ours is { } o && o > 0 && !double.IsNaN(t) && !double.IsNaN(o) ? Inv($"{t / o:F1}x") : "-";

    private static string F(double ms) => double.IsNaN(ms) ? "-" : ms < 10 ? Inv($"{ms:F3}") : Inv($"{ms:F1}");

    public static string Escape(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);

    public static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
