using System.Diagnostics;
using System.Runtime.InteropServices;
using Plexus.Bench.Compare;
using Plexus.Bench.Compare.Systems;

// Issue 7's benchmark: Plexus (API and CLI) against the CNI reference plugins, netavark, Docker and the floor,
// on this machine, in one run. It starts daemons and creates hundreds of links and namespaces, so it refuses
// to run anywhere but a private network and mount namespace: run it through bench/compare.sh.

using var cancel = new CancellationTokenSource();
void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    cancel.Cancel();
}
using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine(CompareOptions.Usage);
    return 0;
}
var root = Environment.GetEnvironmentVariable("PLEXUS_COMPARE_ROOT") ?? Directory.GetCurrentDirectory();
var options = CompareOptions.Parse(args, Path.Combine(root, "artifacts", "bench", "compare"), out var argumentError);
if (options is null)
{
    Console.Error.WriteLine($"plexus-bench-compare: {argumentError}");
    Console.Error.WriteLine(CompareOptions.Usage);
    return 64;
}
if (SafetyCheck.Refusal() is { } refusal)
{
    Console.Error.WriteLine($"plexus-bench-compare: refusing to run: {refusal}. Run it through bench/compare.sh (unshare --net --mount).");
    return 2;
}
var runId = Environment.GetEnvironmentVariable("PLEXUS_COMPARE_RUN_ID");
// plexusd and plexus of another commit (bench/compare.sh --baseline REV), measured in the same run.
var baselineDirectory = Environment.GetEnvironmentVariable("PLEXUS_COMPARE_BASELINE_DIR");
var plexusDirectory = Environment.GetEnvironmentVariable("PLEXUS_COMPARE_PLEXUS_DIR");
if (string.IsNullOrEmpty(runId) || string.IsNullOrEmpty(plexusDirectory))
{
    Console.Error.WriteLine("plexus-bench-compare: PLEXUS_COMPARE_RUN_ID and PLEXUS_COMPARE_PLEXUS_DIR are unset; run it through bench/compare.sh");
    return 2;
}
// "system=reason" lines from the script: packages that could not be installed.
var unavailable = (Environment.GetEnvironmentVariable("PLEXUS_COMPARE_UNAVAILABLE") ?? "")
    .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
    .Select(l => l.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);

var machine = MachineInfo.Read(ProcessRunner.Locate("ip"));
var started = DateTimeOffset.UtcNow;
var clock = Stopwatch.StartNew();
Console.Error.WriteLine($"plexus-bench-compare: {machine}");
Console.Error.WriteLine($"plexus-bench-compare: systems {string.Join(", ", options.Systems)}; N = {string.Join(", ", options.Sizes)}; {options.Pairs} pairs; throughput {options.ThroughputAttaches} by {options.ThroughputClients} clients; ports {string.Join(", ", options.PortCounts)}");

var paths = new RunPaths(runId);
var runner = new ScenarioRunner(options, Console.Error, cancel.Token);
var results = new List<SystemResult>();
try
{
    foreach (var name in options.Systems)
    {
        // Each system its own subnets (10.64.0.0/16 up, 8 per system), also for daemons' default bridges.
        int index = Array.IndexOf(CompareOptions.KnownSystems, name);
        Console.Error.WriteLine($"{name}:");
        if (unavailable.TryGetValue(name, out var reason))
        {
            results.Add(new SystemResult(name) { NotMeasured = reason });
            Console.Error.WriteLine($"  {name,-10} not measured: {reason}");
            continue;
        }
        if (name == "plexus-baseline" && string.IsNullOrEmpty(baselineDirectory))
        {
            results.Add(new SystemResult(name) { NotMeasured = "no baseline build in this run (bench/compare.sh --baseline REV)" });
            Console.Error.WriteLine($"  {name,-10} not measured: no --baseline");
            continue;
        }
        using ISystemUnderTest system = name switch
        {
            "floor" => new FloorSystem(paths),
            "floor-plain" => new FloorSystem(paths, plain: true),
            "plexus-api" => new PlexusApiSystem(paths, plexusDirectory, Subnet.For(index, 7)),
            "plexus-baseline" => new PlexusApiSystem(paths, baselineDirectory!, Subnet.For(index, 7), name,
                $"built from {Environment.GetEnvironmentVariable("PLEXUS_COMPARE_BASELINE_REV")}, --baseline"),
            "plexus-cli" => new PlexusCliSystem(paths, plexusDirectory, Subnet.For(index, 7)),
            "cni" => new CniSystem(paths),
            "plexus-cni" => new PlexusCniSystem(paths, plexusDirectory, Subnet.For(index, 7)),
            "netavark" => new NetavarkSystem(paths),
            "docker-plexus" => new DockerPlexusSystem(paths, plexusDirectory, Subnet.For(index, 7), Subnet.For(index, 3)),
            _ => new DockerSystem(paths, Subnet.For(index, 7), Subnet.For(index, 3)),
        };
        results.Add(runner.Run(system, index));
        Quiesce.Wait(cancel.Token); // the last system's teardown runs on in kernel workers
    }
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine("plexus-bench-compare: interrupted; the running system was stopped and its objects removed");
    paths.Remove();
    return 130;
}
paths.Remove();

var report = Report.Render(machine, options, results, started, clock.Elapsed);
Console.WriteLine(report);
Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(options.MarkdownPath))!);
File.WriteAllText(options.MarkdownPath, report);
JsonReport.Write(options.JsonPath, machine, options, results, started);
SvgPlot.Write(options.SvgPath, results, $"{machine.Cpus} CPUs, {machine.Kernel}, {started:yyyy-MM-dd}{(options.Quick ? ", --quick" : "")}");
Console.Error.WriteLine($"plexus-bench-compare: report {options.MarkdownPath}, raw figures {options.JsonPath}, plot {options.SvgPath}");

// The harness fails only when it or Plexus itself broke; a foreign system that could not run or failed is reported.
string[] own = ["floor", "floor-plain", "plexus-api", "plexus-cli", "plexus-cni"];
var broken = results.Where(r => own.Contains(r.Name) && (r.NotMeasured is not null || r.Errors.Count > 0)).Select(r => r.Name).ToList();
if (broken.Count > 0)
{
    Console.Error.WriteLine($"plexus-bench-compare: failed: {string.Join(", ", broken)} did not complete every scenario (see the report)");
    return 1;
}
return 0;
