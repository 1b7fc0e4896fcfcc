using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Plexus.Bench.Compare;

/// <summary>
/// Runs every scenario on one system, in this order: start; network create/delete; the sandbox pool (untimed);
/// throughput (concurrent attaches to a network of their own); attach/detach pairs with N = 10, 100, 1000
/// already attached (resident memory at the largest N); published ports; stop. A scenario that fails is
/// recorded with the system's words and the next one runs; stop always runs.
/// </summary>
internal sealed class ScenarioRunner(CompareOptions options, TextWriter log, CancellationToken cancel)
{
    public const string Bench = "bench";
    public const string ThroughputNetwork = "tput";
    public const string PortsNetwork = "ports";

    public SystemResult Run(ISystemUnderTest system, int systemIndex)
    {
        var result = new SystemResult(system.Name);
        var sw = Stopwatch.StartNew();
        try
        {
            system.Start();
            result.StartSeconds = sw.Elapsed.TotalSeconds;
            result.Description = system.Description;
            Log(system, $"started in {result.StartSeconds:F1} s: {system.Description}");
        }
        catch (Exception e) when (e is NotAvailableException or SystemFailureException or IOException or UnauthorizedAccessException)
        {
            result.NotMeasured = e.Message;
            result.Description = system.Description;
            Log(system, $"not measured: {e.Message}");
            Cleanup(system);
            return result;
        }

        try
        {
            var pool = Enumerable.Range(0, options.PoolSize).Select(i => "s" + i.ToString(CultureInfo.InvariantCulture)).ToList();
            Scenario(result, "network create/delete", () => NetworkCycles(system, systemIndex, result));
            bool poolReady = Scenario(result, "sandboxes", () =>
            {
                var t = Stopwatch.StartNew();
                ForEach(pool, 4, system.CreateSandbox);
                Log(system, $"{pool.Count} sandboxes created in {t.Elapsed.TotalSeconds:F1} s (untimed)");
            });
            if (poolReady)
            {
                Scenario(result, "throughput", () => ThroughputScenario(system, systemIndex, pool, result));
                Scenario(result, "attach/detach", () => AttachScenario(system, systemIndex, pool, result));
            }
            Scenario(result, "ports", () => PortsScenario(system, systemIndex, result));
        }
        finally
        {
            Cleanup(system);
        }
        return result;
    }

    private void Cleanup(ISystemUnderTest system)
    {
        var sw = Stopwatch.StartNew();
        try
        {
            system.Stop();
        }
        catch (Exception e) when (e is SystemFailureException or IOException or UnauthorizedAccessException or Plexus.Kernel.KernelException)
        {
            Log(system, $"cleanup: {e.Message}");
        }
        Log(system, $"stopped and removed in {sw.Elapsed.TotalSeconds:F1} s");
    }

    private bool Scenario(SystemResult result, string name, Action action)
    {
        cancel.ThrowIfCancellationRequested();
        try
        {
            action();
            return true;
        }
        catch (Exception e) when (e is SystemFailureException or NotSupportedException or IOException or UnauthorizedAccessException
                                      or Plexus.Kernel.KernelException or InvalidOperationException or AggregateException)
        {
            var message = e is AggregateException a ? a.InnerExceptions[0].Message : e.Message;
            result.Errors.Add((name, message));
            log.WriteLine($"  {result.Name,-10} {name} failed: {message}");
            return false;
        }
    }

    private void NetworkCycles(ISystemUnderTest system, int systemIndex, SystemResult result)
    {
        if (system.NetworkCreateUnsupported is { } why)
        {
            result.NetworkUnsupported = why;
            return;
        }
        var subnet = Subnet.For(systemIndex, 4);
        // One untimed cycle first: the first request of a kind pays for code loading and caches.
        system.CreateNetwork("nc-warm", subnet);
        system.DeleteNetwork("nc-warm");
        for (int i = 0; i < options.NetworkCycles; i++)
        {
            cancel.ThrowIfCancellationRequested();
            var name = "nc" + i.ToString(CultureInfo.InvariantCulture);
            result.NetworkCreate.Add(Time(() => system.CreateNetwork(name, subnet)));
            result.NetworkDelete.Add(Time(() => system.DeleteNetwork(name)));
        }
        Log(system, $"network create p50 {Ms(Summary.Median(result.NetworkCreate))} ms, delete p50 {Ms(Summary.Median(result.NetworkDelete))} ms ({options.NetworkCycles} cycles)");
    }

    private void ThroughputScenario(ISystemUnderTest system, int systemIndex, List<string> pool, SystemResult result)
    {
        var sandboxes = pool.Take(options.ThroughputAttaches).ToList();
        system.CreateNetwork(ThroughputNetwork, Subnet.For(systemIndex, 1));
        var attached = new ConcurrentDictionary<string, byte>();
        try
        {
            var throughput = new Throughput(sandboxes.Count, options.ThroughputClients);
            var cpu = new CpuMeter(system.ResidentProcesses());
            using var perf = new RoundProfiler(system.Name);
            for (int round = 0; round < options.ThroughputRounds; round++)
            {
                if (round > 0) Detach(system, ThroughputNetwork, attached);
                var latencies = new double[sandboxes.Count];
                Quiesce.Wait(cancel);
                if (round > 0)
                {
                    // the rounds after the first: re-joins, as the median round is
                    perf.Enable();
                    cpu.Begin();
                }
                var wall = Stopwatch.StartNew();
                ForEach(Enumerable.Range(0, sandboxes.Count).ToList(), options.ThroughputClients, i =>
                {
                    latencies[i] = Time(() => system.Attach(ThroughputNetwork, sandboxes[i]));
                    attached[sandboxes[i]] = 0;
                });
                throughput.RoundMilliseconds.Add(wall.Elapsed.TotalMilliseconds);
                if (round > 0)
                {
                    cpu.End(sandboxes.Count);
                    perf.Disable();
                }
                throughput.Latencies.AddRange(latencies);
            }
            throughput.Cpu = cpu.Summary();
            result.Throughput = throughput;
            Log(system, Report.Inv($"throughput: {sandboxes.Count} attaches by {options.ThroughputClients} clients, median of {throughput.RoundMilliseconds.Count} rounds {throughput.WallMilliseconds / 1000:F2} s ({throughput.PerSecond:F1}/s; rounds {string.Join(", ", throughput.RoundRates.Select(r => r.ToString("F0", System.Globalization.CultureInfo.InvariantCulture)))}/s){(throughput.Cpu is null ? "" : "; " + throughput.Cpu)}"));
        }
        finally
        {
            Undo(system, ThroughputNetwork, attached);
        }
    }

    /// <summary>Between throughput rounds: every sandbox detached again (several at once, untimed), so the next round attaches the same ones.</summary>
    private void Detach(ISystemUnderTest system, string network, ConcurrentDictionary<string, byte> attached) =>
        ForEach(attached.Keys.ToList(), 4, s =>
        {
            system.DetachUntimed(network, s);
            attached.TryRemove(s, out _);
        });

    /// <summary>Detaches what is attached (several at once) and deletes the network; after a failure, as much as can be.</summary>
    private void Undo(ISystemUnderTest system, string network, ConcurrentDictionary<string, byte> attached)
    {
        var failures = new ConcurrentQueue<string>();
        ForEach(attached.Keys.ToList(), 4, s =>
        {
            try
            {
                system.DetachUntimed(network, s);
            }
            catch (SystemFailureException e)
            {
                failures.Enqueue(e.Message);
            }
        });
        try
        {
            system.DeleteNetwork(network);
        }
        catch (SystemFailureException e)
        {
            failures.Enqueue(e.Message);
        }
        if (!failures.IsEmpty) Log(system, $"teardown of {network}: {failures.Count} failures, the first: {failures.First()}");
    }

    private void AttachScenario(ISystemUnderTest system, int systemIndex, List<string> pool, SystemResult result)
    {
        system.CreateNetwork(Bench, Subnet.For(systemIndex, 0));
        var measured = pool.Skip(options.MaxN).Take(options.Pairs).ToList();
        var attached = new ConcurrentDictionary<string, byte>();
        try
        {
            // Untimed warm-up on the measured sandboxes: the first operations of a kind pay for code loading.
            foreach (var s in measured.Take(Math.Min(5, measured.Count)))
            {
                system.Attach(Bench, s);
                attached[s] = 0;
                system.Detach(Bench, s);
                attached.TryRemove(s, out _);
            }
            foreach (var n in options.Sizes)
            {
                var phase = new AttachPhase(n);
                var prepare = Stopwatch.StartNew();
                // Pre-attach up to N, untimed, several at once where that is faster.
                ForEach(pool.Take(n).Where(s => !attached.ContainsKey(s)).ToList(), 4, s =>
                {
                    system.AttachUntimed(Bench, s);
                    attached[s] = 0;
                });
                phase.PrepareSeconds = prepare.Elapsed.TotalSeconds;
                if (n == options.MaxN) result.ResidentAtMaxN = Measure(system);
                phase.BusyBefore = Quiesce.Wait(cancel);
                foreach (var s in measured)
                {
                    cancel.ThrowIfCancellationRequested();
                    phase.Attach.Add(Time(() => system.Attach(Bench, s)));
                    attached[s] = 0;
                    phase.Detach.Add(Time(() => system.Detach(Bench, s)));
                    attached.TryRemove(s, out _);
                }
                result.Phases.Add(phase);
                Log(system, $"N={n,-5} attach p50 {Ms(phase.AttachSummary.P50)} ms p99 {Ms(phase.AttachSummary.P99)} ms, detach p50 {Ms(phase.DetachSummary.P50)} ms ({measured.Count} pairs; {n} pre-attached in {phase.PrepareSeconds:F1} s)");
            }
        }
        finally
        {
            var teardown = Stopwatch.StartNew();
            int count = attached.Count;
            Undo(system, Bench, attached);
            Log(system, $"{count} detached and network deleted in {teardown.Elapsed.TotalSeconds:F1} s (untimed)");
        }
    }

    private void PortsScenario(ISystemUnderTest system, int systemIndex, SystemResult result)
    {
        if (system.PortsUnsupported is { } why)
        {
            result.PortsUnsupported = why;
            return;
        }
        system.CreateNetwork(PortsNetwork, Subnet.For(systemIndex, 2));
        try
        {
            int k = 0;
            string Next() => "p" + (k++).ToString(CultureInfo.InvariantCulture);
            // Baseline: the same sandbox without ports, three times, median (after an untimed one).
            var warm = Next();
            system.AttachWithPorts(PortsNetwork, warm, 0, 0);
            system.RemovePortsSandbox(PortsNetwork, warm);
            var baseline = new List<double>();
            for (int i = 0; i < 3; i++)
            {
                var s = Next();
                baseline.Add(Time(() => system.AttachWithPorts(PortsNetwork, s, 0, 0)));
                system.RemovePortsSandbox(PortsNetwork, s);
            }
            double baselineMs = Summary.Median(baseline);
            // And one untimed sandbox with a few ports: the first published port of a run pays for loading
            // code and setting up the firewall's port chains or sets once (about 20 ms of plexusd's first
            // publish is JIT and libnftables start-up), which is not what publishing 100 or 1000 costs.
            var warmPorts = Next();
            system.AttachWithPorts(PortsNetwork, warmPorts, 30000, 5);
            system.RemovePortsSandbox(PortsNetwork, warmPorts);
            foreach (var count in options.PortCounts)
            {
                cancel.ThrowIfCancellationRequested();
                var s = Next();
                Quiesce.Wait(cancel);
                var before = Measure(system);
                double with = Time(() => system.AttachWithPorts(PortsNetwork, s, 20000, count));
                var after = Measure(system);
                double remove = Time(() => system.RemovePortsSandbox(PortsNetwork, s));
                var r = new PortsResult(count, baselineMs, with, after.Processes - before.Processes, after.TotalRssBytes - before.TotalRssBytes, remove);
                result.Ports.Add(r);
                Log(system, $"{count} ports: {with:F1} ms (without ports {baselineMs:F1} ms), {r.ProcessesAdded} processes and {r.RssAddedBytes / 1048576.0:F1} MB added, removed in {remove:F1} ms");
            }
        }
        finally
        {
            system.DeleteNetwork(PortsNetwork);
        }
    }

    private static Resident Measure(ISystemUnderTest system)
    {
        var pids = system.ResidentProcesses();
        if (pids.Count == 0) return new Resident(0, 0, 0);
        return new Resident(pids.Count, ProcessTree.Rss(pids[0]), pids.Sum(ProcessTree.Rss));
    }

    /// <summary>Runs <paramref name="action"/> on every item from <paramref name="clients"/> threads of its own (not the thread pool's).</summary>
    private void ForEach<T>(List<T> items, int clients, Action<T> action)
    {
        if (clients <= 1 || items.Count <= 1)
        {
            foreach (var item in items)
            {
                cancel.ThrowIfCancellationRequested();
                action(item);
            }
            return;
        }
        int next = -1;
        var errors = new ConcurrentQueue<Exception>();
        var threads = Enumerable.Range(0, Math.Min(clients, items.Count)).Select(_ => new Thread(() =>
        {
            int i;
            while (errors.IsEmpty && !cancel.IsCancellationRequested && (i = Interlocked.Increment(ref next)) < items.Count)
            {
                try
                {
                    action(items[i]);
                }
                catch (Exception e) when (e is SystemFailureException or IOException or Plexus.Kernel.KernelException or InvalidOperationException)
                {
                    errors.Enqueue(e);
                }
            }
        }) { IsBackground = true }).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        cancel.ThrowIfCancellationRequested();
        if (!errors.IsEmpty) throw new AggregateException(errors);
    }

    /// <summary>Milliseconds the action took.</summary>
    private static double Time(Action action)
    {
        long start = Stopwatch.GetTimestamp();
        action();
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    private void Log(ISystemUnderTest system, string text) => log.WriteLine($"  {system.Name,-10} {text}");

    private static string Ms(double ms) => ms.ToString("F2", CultureInfo.InvariantCulture);
}
