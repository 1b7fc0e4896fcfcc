using System.Collections.Concurrent;
using System.Diagnostics;
using Plexus.Engine.Drivers.Bridge.Firewall;
using Plexus.Kernel.Firewall;
using Plexus.Kernel.Firewall.Nftables;
using Plexus.Kernel.Namespaces;

namespace Plexus.Bench.Firewall;

/// <summary>
/// Issue 11: the time from someone else's flush to Plexus's rules being back, with the watcher on. nftables: `flush
/// ruleset` committed in process (the batch `nft flush ruleset` sends); iptables: an empty iptables-restore of every
/// table, timed from the moment that process has exited. "Restored" is when the repair's batch was committed.
/// </summary>
internal static class RepairBench
{
    public static (double P50, double Max, double RepairP50, int Rounds) Run(IFirewall<FirewallState, FirewallChange> firewall, NetworkNamespace ns, int rounds)
    {
        var repairs = new BlockingCollection<(FirewallRepair Repair, long At)>();
        void OnRepair(object? sender, FirewallRepair r) => repairs.Add((r, Stopwatch.GetTimestamp()));
        firewall.Repaired += OnRepair;
        try
        {
            var outage = new List<double>();
            var repairTimes = new List<double>();
            for (int i = 0; i < rounds; i++)
            {
                long flushed = Flush(firewall, ns);
                // An iptables-restore of three tables is three batches: the outage ends with the last repair.
                var deadline = DateTime.UtcNow.AddSeconds(10);
                long restoredAt = 0;
                while (repairs.TryTake(out var r, TimeSpan.FromMilliseconds(restoredAt == 0 ? Math.Max(0, (deadline - DateTime.UtcNow).TotalMilliseconds) : 300)))
                {
                    if (!r.Repair.Succeeded) throw new InvalidOperationException(r.Repair.ToString());
                    restoredAt = r.At;
                    repairTimes.Add(r.Repair.Elapsed.TotalMilliseconds);
                }
                if (restoredAt == 0) throw new InvalidOperationException($"round {i}: no repair within 10 s");
                outage.Add(Stopwatch.GetElapsedTime(flushed, restoredAt).TotalMilliseconds);
            }
            outage.Sort();
            repairTimes.Sort();
            return (outage[outage.Count / 2], outage[^1], repairTimes[repairTimes.Count / 2], rounds);
        }
        finally
        {
            firewall.Repaired -= OnRepair;
        }
    }

    private static long Flush(IFirewall<FirewallState, FirewallChange> firewall, NetworkNamespace ns)
    {
        if (firewall is NftablesFirewall<FirewallState, FirewallChange> nft)
        {
            nft.Execute("flush ruleset");
            return Stopwatch.GetTimestamp();
        }
        var psi = new ProcessStartInfo("iptables-restore") { RedirectStandardInput = true, UseShellExecute = false };
        using var p = ns.StartProcess(psi);
        p.StandardInput.Write("*raw\nCOMMIT\n*nat\nCOMMIT\n*filter\nCOMMIT\n");
        p.StandardInput.Close();
        p.WaitForExit();
        return Stopwatch.GetTimestamp();
    }
}
