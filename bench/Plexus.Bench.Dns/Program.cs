using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Plexus.Bench.Dns;
using Plexus.Bench.Kernel;

// Issue 6's benchmark: queries per second and latency from inside a sandbox, for a name the resolver
// knows (a network alias) and a name it forwards upstream, Plexus's resolver at 127.0.0.11 against
// aardvark-dns (Podman's) serving the same names in the same run. Runs only inside the private
// namespace bench/dns.sh makes.

if (SafetyCheck.Refusal() is { } refusal)
{
    Console.Error.WriteLine($"plexus-bench-dns: {refusal}; run bench/dns.sh");
    return 2;
}
bool quick = args.Contains("--quick");
int jsonAt = Array.IndexOf(args, "--json");
string root = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../.."));
string jsonPath = jsonAt >= 0 && jsonAt + 1 < args.Length ? args[jsonAt + 1] : Path.Combine(root, "artifacts/bench/dns/results.json");
var duration = TimeSpan.FromSeconds(quick ? 1 : 5);
var warmUp = TimeSpan.FromSeconds(quick ? 0.3 : 1);
int[] workerCounts = quick ? [1, 4] : [1, 8];

using var world = new BenchWorld(root);
world.Start(m => Console.Error.WriteLine($"plexus-bench-dns: {m}"));
var servers = new List<(string System, IPEndPoint EndPoint, string? Problem)>
{
    ("plexus", new IPEndPoint(IPAddress.Parse("127.0.0.11"), 53), world.PlexusProblem),
    ("aardvark-dns", new IPEndPoint(IPAddress.Parse(BenchWorld.Gateway), 53), world.PlexusProblem ?? world.AardvarkProblem),
};
for (int i = 0; i < servers.Count; i++)
    if (servers[i].Problem is null && world.Client is not null)
        servers[i] = servers[i] with { Problem = world.Verify(servers[i].EndPoint) };

var results = new List<(string System, string Kind, LoadResult Load)>();
foreach (var (kind, name) in new[] { ("local", BenchWorld.LocalName), ("forwarded", BenchWorld.ForwardedName) })
foreach (var workers in workerCounts)
foreach (var (system, endpoint, problem) in servers)
{
    if (problem is not null) continue;
    Console.Error.WriteLine($"plexus-bench-dns: {system}, {kind} name, {workers} client(s), {duration.TotalSeconds} s");
    results.Add((system, kind, LoadGenerator.Run(world.Client!, endpoint, name, workers, duration, warmUp)));
}
var rss = world.Rss();

// The report: figures per system, then Plexus against aardvark-dns.
var md = new StringBuilder();
var inv = CultureInfo.InvariantCulture;
md.AppendLine("# Embedded DNS: Plexus against aardvark-dns").AppendLine();
md.AppendLine(inv, $"{MachineInfo.Read(null)}; {duration.TotalSeconds} s per run after {warmUp.TotalSeconds} s of warm-up; closed loop, one question in flight per client; the clients run in the sandbox, on the same CPUs as the servers.").AppendLine();
foreach (var (system, _, problem) in servers.Where(s => s.Problem is not null))
    md.AppendLine(inv, $"- {system}: not measured: {problem}");
md.AppendLine("| name | clients | system | queries/s | p50 ms | p99 ms | lost |").AppendLine("|---|---:|---|---:|---:|---:|---:|");
foreach (var (system, kind, load) in results)
    md.AppendLine(inv, $"| {kind} | {load.Workers} | {system} | {load.Qps:F0} | {load.Percentile(50):F3} | {load.Percentile(99):F3} | {load.Lost} |");
md.AppendLine().AppendLine("| name | clients | queries/s, Plexus / aardvark-dns | p50, aardvark-dns / Plexus | p99, aardvark-dns / Plexus |").AppendLine("|---|---:|---:|---:|---:|");
foreach (var group in results.GroupBy(r => (r.Kind, r.Load.Workers)))
{
    var p = group.FirstOrDefault(r => r.System == "plexus").Load;
    var a = group.FirstOrDefault(r => r.System == "aardvark-dns").Load;
    if (p is null || a is null) continue;
    md.AppendLine(inv, $"| {group.Key.Kind} | {group.Key.Workers} | {p.Qps / a.Qps:F2}x | {a.Percentile(50) / p.Percentile(50):F2}x | {a.Percentile(99) / p.Percentile(99):F2}x |");
}
md.AppendLine().AppendLine(inv, $"Resident memory after the runs: plexusd {rss.Plexusd:F1} MB (the whole daemon), aardvark-dns {rss.Aardvark:F1} MB.");
Console.WriteLine(md.ToString());

Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(jsonPath))!);
File.WriteAllText(jsonPath, JsonSerializer.Serialize(new
{
    machine = MachineInfo.Read(null).ToString(),
    quick,
    seconds = duration.TotalSeconds,
    notMeasured = servers.Where(s => s.Problem is not null).ToDictionary(s => s.System, s => s.Problem),
    runs = results.Select(r => new
    {
        system = r.System, name = r.Kind, clients = r.Load.Workers, qps = r.Load.Qps, answered = r.Load.Answered, lost = r.Load.Lost,
        p50Ms = r.Load.Percentile(50), p90Ms = r.Load.Percentile(90), p99Ms = r.Load.Percentile(99),
    }),
    rssMb = new { plexusd = rss.Plexusd, aardvark = rss.Aardvark },
}, new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
Console.Error.WriteLine($"plexus-bench-dns: raw figures in {jsonPath}");
return servers[0].Problem is null ? 0 : 1;
