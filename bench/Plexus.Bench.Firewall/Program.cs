using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Plexus.Bench.Kernel;
using Plexus.Engine.Drivers.Bridge.Firewall;
using Plexus.Kernel.Firewall;
using Plexus.Kernel.Namespaces;
using Plexus.Kernel.Rtnl;
using Plexus.Kernel.Rtnl.LinkKinds;

// Issue 4's benchmark: publishing 1000 ports on one sandbox in one firewall transaction, and one port
// with 1000 already published against the first, per backend; processes, threads and memory added.
// Issue 11's additions: a join's firewall transaction (anti-spoofing elements) with 0 and 1000 endpoints,
// and the time from someone else's flush to the rules being back. The firewall watches the ruleset as
// plexusd's does (--no-watch: not), so every figure includes what watching costs a commit.
// Runs only inside the private namespace bench/firewall-ports.sh makes.

if (SafetyCheck.Refusal() is { } refusal)
{
    Console.Error.WriteLine($"plexus-bench-firewall: {refusal}; run bench/firewall-ports.sh");
    return 2;
}
bool quick = args.Contains("--quick");
bool watch = !args.Contains("--no-watch");
int jsonAt = Array.IndexOf(args, "--json");
string? jsonPath = jsonAt >= 0 && jsonAt + 1 < args.Length ? args[jsonAt + 1] : null;
int singles = quick ? 20 : 50;
var subnet = IPNetwork.Parse("172.30.0.0/16");
var results = new List<Result>();

foreach (var backend in new[] { Firewalls.Nftables, Firewalls.Iptables })
{
    var directory = new NamespaceDirectory("/run/plexus-bench/netns");
    var name = "fw-" + backend;
    using var ns = directory.Create(name);
    try
    {
        using var rt = ns.OpenRtNetlink();
        rt.SetUp(rt.GetLink("lo").Index);
        rt.CreateLink(new BridgeSpec("plx-bench") { Up = true });
        rt.AddAddress(rt.GetLink("plx-bench").Index, Plexus.Kernel.Types.IPPrefix.Parse("172.30.0.1/16"));
        using var firewall = BridgeFirewallPolicy.Create(backend, ns);
        var network = new BridgeRules("bench", "plx-bench", [subnet]);
        firewall.Begin().AddNetwork(network).Commit();
        if (watch) firewall.StartWatching();
        // Warm-up: JIT and libnftables caches, untimed.
        foreach (var p in Ports("warm", 50000, 20)) firewall.Begin().AddPorts(p).Commit();
        firewall.Begin().RemovePorts("warm").Commit();

        var first = Median(Ports("first", 10000, singles).Select(p => Time(() => firewall.Begin().AddPorts(p).Commit())));
        firewall.Begin().RemovePorts("first").Commit();

        int threadsBefore = Threads(), childrenBefore = Children();
        GC.Collect();
        long managedBefore = GC.GetTotalMemory(true), rssBefore = Rss();
        var thousand = Time(() => firewall.Begin().AddPorts(Ports("bulk", 20000, 1000)).Commit());
        GC.Collect();
        long managedAfter = GC.GetTotalMemory(true), rssAfter = Rss();
        int threadsAfter = Threads(), childrenAfter = Children();

        var next = Median(Ports("next", 30000, singles).Select(p => Time(() => firewall.Begin().AddPorts(p).Commit())));
        var removeThousand = Time(() => firewall.Begin().RemovePorts("bulk").Commit());
        var endpoints = Plexus.Bench.Firewall.EndpointBench.Run(firewall, network, singles);
        // The repair restores what a host at N = 1000 holds: 1000 ports and 1000 guarded endpoints.
        firewall.Begin().AddPorts(Ports("bulk", 20000, 1000)).Commit();
        var repair = watch ? Plexus.Bench.Firewall.RepairBench.Run(firewall, ns, quick ? 5 : 10) : default;
        results.Add(new Result(backend, first, thousand, next, removeThousand, threadsAfter - threadsBefore, childrenAfter - childrenBefore,
            (managedAfter - managedBefore) / 1024.0 / 1024.0, (rssAfter - rssBefore) / 1024.0 / 1024.0, firewall.State.Ports.Count,
            endpoints.First, endpoints.Thousand, endpoints.Next, endpoints.Remove, repair.P50, repair.Max, repair.RepairP50, repair.Rounds));
        firewall.Clear();
    }
    finally
    {
        directory.Delete(name);
        if (!directory.List().Any()) directory.Release();
    }
}

var md = new StringBuilder();
md.AppendLine("## Plexus firewall: published ports");
md.AppendLine();
md.AppendLine($"{Environment.ProcessorCount} CPUs, .NET {Environment.Version}; one network, one sandbox; times in ms. " +
    $"\"1st port\" and \"port 1001\" are medians of {singles} single-port transactions on an empty network and with 1000 ports published.");
md.AppendLine();
md.AppendLine("| backend | 1st port | 1000 ports, one transaction | port 1001 | 1001st / 1st | remove the 1000 | threads added | processes left | managed MB | RSS MB |");
md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
foreach (var r in results)
    md.AppendLine(CultureInfo.InvariantCulture, $"| {r.Backend} | {r.First:F3} | {r.Thousand:F1} | {r.Next:F3} | {r.Next / r.First:F2}x | {r.RemoveThousand:F1} | {r.ThreadsAdded} | {r.ChildrenAdded} | {r.ManagedMb:F2} | {r.RssMb:F2} |");
md.AppendLine();
md.AppendLine("### Targets (reported, not asserted)");
md.AppendLine();
md.AppendLine("| backend | 1000 ports < 50 ms | 1001st within 1.5x of the 1st | no thread or process per port | < 5 MB for 1000 ports |");
md.AppendLine("|---|---|---|---|---|");
foreach (var r in results)
    md.AppendLine(CultureInfo.InvariantCulture,
        $"| {r.Backend} | {Met(r.Thousand < 50)} ({r.Thousand:F1} ms) | {Met(r.Next <= 1.5 * r.First)} ({r.Next / r.First:F2}x) | {Met(r.ThreadsAdded <= 0 && r.ChildrenAdded <= 0)} | {Met(Math.Max(r.ManagedMb, r.RssMb) < 5)} |");
md.AppendLine();
md.AppendLine("iptables spawns one iptables-restore per transaction by design (it is the compatibility backend); nftables runs in process through libnftables.");
md.AppendLine();
md.AppendLine($"### A join's firewall transaction (anti-spoofing), watcher {(watch ? "on" : "off")}");
md.AppendLine();
md.AppendLine($"The bridge driver's transaction for a join without published ports: the network's rules (already in place) and the endpoint's bridge port. Medians of {singles}; ms.");
md.AppendLine();
md.AppendLine("| backend | 1st endpoint | 1000 endpoints, one transaction | endpoint 1001 | 1001st / 1st | leave |");
md.AppendLine("|---|---:|---:|---:|---:|---:|");
foreach (var r in results)
    md.AppendLine(CultureInfo.InvariantCulture, $"| {r.Backend} | {r.EndpointFirst:F3} | {r.EndpointThousand:F1} | {r.EndpointNext:F3} | {r.EndpointNext / r.EndpointFirst:F2}x | {r.EndpointRemove:F3} |");
if (watch)
{
    md.AppendLine();
    md.AppendLine("### Self-repair: from someone else's flush to Plexus's rules back");
    md.AppendLine();
    md.AppendLine("With 1000 published ports and 1000 guarded endpoints. nftables: `flush ruleset` committed in process; iptables: an empty iptables-restore of raw, nat and filter, timed from its exit. \"Repair\" is the re-apply alone, from the moment the watcher acted.");
    md.AppendLine();
    md.AppendLine("| backend | rounds | flush to restored, p50 (ms) | max (ms) | repair p50 (ms) |");
    md.AppendLine("|---|---:|---:|---:|---:|");
    foreach (var r in results)
        md.AppendLine(CultureInfo.InvariantCulture, $"| {r.Backend} | {r.RepairRounds} | {r.OutageP50:F1} | {r.OutageMax:F1} | {r.RepairP50:F1} |");
}
Console.Write(md.ToString());
if (jsonPath is not null)
    File.WriteAllText(jsonPath, JsonSerializer.Serialize(results.Select(r => new Dictionary<string, object>
    {
        ["backend"] = r.Backend, ["firstPortMs"] = r.First, ["thousandPortsMs"] = r.Thousand, ["port1001Ms"] = r.Next,
        ["removeThousandMs"] = r.RemoveThousand, ["threadsAdded"] = r.ThreadsAdded, ["processesLeft"] = r.ChildrenAdded,
        ["managedMb"] = r.ManagedMb, ["rssMb"] = r.RssMb, ["watching"] = watch,
        ["endpointFirstMs"] = r.EndpointFirst, ["thousandEndpointsMs"] = r.EndpointThousand, ["endpoint1001Ms"] = r.EndpointNext,
        ["endpointLeaveMs"] = r.EndpointRemove, ["flushToRestoredP50Ms"] = r.OutageP50, ["flushToRestoredMaxMs"] = r.OutageMax,
        ["repairP50Ms"] = r.RepairP50,
    }).ToList()));
return 0;

static string Met(bool ok) => ok ? "met" : "**not met**";

static IEnumerable<PortMapping> Ports(string tag, int firstHostPort, int count) =>
    Enumerable.Range(0, count).Select(i => new PortMapping(tag, "bench", TransportProtocol.Tcp, null, firstHostPort + i, IPAddress.Parse("172.30.0.2"), 80 + (i % 1000)));

static double Time(Action action)
{
    var sw = Stopwatch.StartNew();
    action();
    return sw.Elapsed.TotalMilliseconds;
}

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted[sorted.Length / 2];
}

static int Threads() => Directory.GetDirectories("/proc/self/task").Length;

/// <summary>Processes whose parent is this one, still running.</summary>
static int Children()
{
    var me = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
    int n = 0;
    foreach (var dir in Directory.GetDirectories("/proc"))
    {
        try
        {
            var stat = File.ReadAllText(Path.Combine(dir, "stat"));
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (fields[1] == me) n++;
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
    return n;
}

static long Rss()
{
    var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
}

internal sealed record Result(string Backend, double First, double Thousand, double Next, double RemoveThousand,
    int ThreadsAdded, int ChildrenAdded, double ManagedMb, double RssMb, int PortsLeft,
    double EndpointFirst, double EndpointThousand, double EndpointNext, double EndpointRemove,
    double OutageP50, double OutageMax, double RepairP50, int RepairRounds);
