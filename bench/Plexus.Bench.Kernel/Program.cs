using System.Runtime.InteropServices;
using Plexus.Bench.Kernel;
using Plexus.Kernel;
using Plexus.Kernel.Namespaces;
using Plexus.Kernel.Rtnl;

// The kernel-layer attach benchmark: attaches N sandboxes to one bridge through Plexus.Kernel in process and
// through `ip` commands, timing each attach and detach. It creates and deletes hundreds of links and
// namespaces, so it refuses to run anywhere but a private network and mount namespace: run it through
// bench/kernel-attach.sh, which makes one with `unshare --net --mount`.

// First of all, so no signal finds the runtime's default handling: on Ctrl+C or SIGTERM, stop at the next
// check (between attaches, while waiting) and remove the phase's objects on the way out.
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
    Console.WriteLine(BenchOptions.Usage);
    return 0;
}
var options = BenchOptions.Parse(args, out var argumentError);
if (options is null)
{
    Console.Error.WriteLine($"plexus-bench-kernel: {argumentError}");
    Console.Error.WriteLine(BenchOptions.Usage);
    return 64;
}

if (SafetyCheck.Refusal() is { } refusal)
{
    Console.Error.WriteLine($"plexus-bench-kernel: refusing to run: {refusal}. Run it through bench/kernel-attach.sh (unshare --net --mount).");
    return 2;
}

var ipPath = IpCommandAttacher.Locate();
if (ipPath is null)
{
    Console.Error.WriteLine("plexus-bench-kernel: `ip` (iproute2) is not installed; bench/kernel-attach.sh installs it.");
    return 3;
}


var machine = MachineInfo.Read(ipPath);
// The same layout as `ip netns add`, so the ip method reaches the namespaces with `ip -n NAME`.
var namespaces = new NamespaceDirectory("/run/netns");
using var host = RtNetlink.Open();
var runner = new BenchRunner(host, namespaces, options, Console.Error, cancel.Token);
IAttacher[] attachers = options.Methods.Select(m => m switch
{
    "plexus" => new KernelAttacher(host, KernelAttachMode.Overlapped),
    "plexus-serial" => new KernelAttacher(host, KernelAttachMode.Serial),
    "plexus-split" => new KernelAttacher(host, KernelAttachMode.Split),
    _ => (IAttacher)new IpCommandAttacher(ipPath),
}).ToArray();
// One tag per method keeps the names of two phases apart: plxb-k-7 / plxbk7 for plexus, and so on.
string TagOf(IAttacher a) => a.Name switch { "plexus" => "k", "plexus-serial" => "s", "plexus-split" => "p", _ => "i" };

Console.Error.WriteLine($"plexus-bench-kernel: {machine}");
Console.Error.WriteLine($"plexus-bench-kernel: N = {string.Join(", ", options.Sizes)}, {options.Warmup} untimed warm-up attaches per method, {MarkdownReport.Ipv6Setting(options.SandboxIpv6)}");
var calibration = Calibration.Measure(host);
var phases = new List<PhaseResult>();
try
{
    if (options.Warmup > 0)
    {
        Console.Error.WriteLine("warm-up (not reported):");
        foreach (var attacher in attachers) runner.Run(attacher, TagOf(attacher), options.Warmup);
    }
    foreach (var n in options.Sizes)
    {
        Console.Error.WriteLine($"N = {n}:");
        foreach (var attacher in attachers)
        {
            phases.Add(runner.Run(attacher, TagOf(attacher), n));
            Quiesce.Wait(cancel.Token); // namespace teardown runs in kernel workers after the phase returns
        }
    }
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine("plexus-bench-kernel: interrupted; the objects of the interrupted run were removed");
    return 130;
}
catch (Exception e) when (e is KernelException or InvalidOperationException)
{
    Console.Error.WriteLine($"plexus-bench-kernel: failed: {e.Message}");
    return 1;
}
finally
{
    // Each phase removed its own namespaces; the directory's own bind mount goes last.
    if (!namespaces.List().Any()) namespaces.Release();
}

Console.WriteLine(MarkdownReport.Render(machine, options, calibration, attachers, phases));
if (options.JsonPath is { } jsonPath)
{
    JsonReport.Write(jsonPath, machine, options, calibration, attachers, phases);
    Console.Error.WriteLine($"plexus-bench-kernel: raw figures written to {jsonPath}");
}
return 0;
