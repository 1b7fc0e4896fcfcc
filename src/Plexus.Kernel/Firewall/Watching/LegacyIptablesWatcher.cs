using System.Diagnostics;
using Plexus.Kernel.Namespaces;

namespace Plexus.Kernel.Firewall.Watching;

/// <summary>
/// The watcher for iptables-legacy, which sends no notifications: every <see cref="Interval"/> it compares a cheap
/// fingerprint of the tables (<see cref="XtablesFingerprint"/>, a few getsockopt calls, no process) with the one
/// Plexus's own last batch left, and on a difference re-applies the state. The iptables backend's re-apply reads
/// iptables-save and applies only what is missing, so a change of someone else's own rules costs a look, no more.
/// </summary>
internal sealed class LegacyIptablesWatcher : IDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    private readonly FirewallBase _firewall;
    private readonly Thread _thread;
    private readonly ManualResetEventSlim _stop = new();

    /// <param name="nftablesTables">Whether the firewall also keeps nf_tables tables beside iptables, whose changes show in the nf_tables generation.</param>
    public LegacyIptablesWatcher(FirewallBase firewall, NetworkNamespace? ns, bool ipv6, bool nftablesTables)
    {
        _firewall = firewall;
        firewall.UseFingerprint(XtablesFingerprint.Open(ns, ipv6, nftablesTables));
        _thread = new Thread(Run) { IsBackground = true, Name = "plexus-fw-poll" };
        _thread.Start();
    }

    private void Run()
    {
        var delay = TimeSpan.FromSeconds(1);
        long retryAt = 0;
        while (!_stop.Wait(Interval))
        {
            try
            {
                FirewallRepair? result = null;
                if (_firewall.FingerprintChanged())
                    result = _firewall.Repair("another process changed the iptables rules (iptables-legacy, seen by polling)", null, Stopwatch.GetTimestamp());
                else if (_firewall.Damage is { } damage && Stopwatch.GetTimestamp() >= retryAt)
                    result = _firewall.Repair(damage, null, Stopwatch.GetTimestamp());
                if (result is { Succeeded: false })
                {
                    retryAt = Stopwatch.GetTimestamp() + (long)(delay.TotalSeconds * Stopwatch.Frequency);
                    delay = TimeSpan.FromSeconds(Math.Min(30, delay.TotalSeconds * 2));
                }
                else if (result is not null) delay = TimeSpan.FromSeconds(1);
            }
            catch (KernelException)
            {
                // A failed look: the next one starts afresh.
            }
        }
    }

    public void Dispose()
    {
        _stop.Set();
        if (Thread.CurrentThread != _thread) _thread.Join();
        _stop.Dispose();
    }
}
