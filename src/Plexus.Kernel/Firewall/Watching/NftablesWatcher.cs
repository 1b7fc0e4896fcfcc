using System.Diagnostics;
using Plexus.Kernel.Firewall.Nftables;
using Plexus.Kernel.Namespaces;
using Plexus.Kernel.Netlink;

namespace Plexus.Kernel.Firewall.Watching;

/// <summary>
/// Listens to nf_tables' notifications (NETLINK_NETFILTER, group NFNLGRP_NFTABLES) in the firewall's namespace and
/// repairs the firewall when another process's batch touched what it owns. This covers the nftables backend and
/// iptables-nft, whose rules are nf_tables objects too.
///
/// Every committed batch sends one notification per object it changed and then a NEWGEN naming its generation.
/// A batch "concerns" the firewall when one of its notifications does (<see cref="FirewallBase.Concerns"/>); it is
/// foreign when neither was it sent on one of the firewall's own sockets (the NEWGEN's header names the committing
/// socket's port id) nor is its generation one the firewall recorded for its own batches. A foreign batch that concerns
/// the firewall is answered by re-applying the whole state, once the burst it belongs to has settled
/// (<see cref="Settle"/>, at most <see cref="MaxDelay"/> after it was seen). Lost notifications (a full receive
/// queue) are judged by generation alone: if any generation since the last one seen is foreign, repair.
/// One thread, asleep in recv; no polling, no process.
/// </summary>
internal sealed class NftablesWatcher : IDisposable
{
    /// <summary>A reload (flush ruleset, then the new ruleset) can be several batches in a row: repair once they stop.</summary>
    public static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(20);

    /// <summary>A repair never waits longer than this for a burst to settle.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromMilliseconds(150);

    /// <summary>How often the thread wakes when idle, to see whether it should stop or retry a failed repair.</summary>
    private static readonly TimeSpan Idle = TimeSpan.FromMilliseconds(250);

    private const int ReceiveQueue = 8 << 20;

    private readonly FirewallBase _firewall;
    private readonly NetlinkSocket _socket;
    private readonly NftGeneration _generation;
    private readonly Thread _thread;
    private volatile bool _stopping;
    private uint _last;

    public NftablesWatcher(FirewallBase firewall, NetworkNamespace? ns)
    {
        _firewall = firewall;
        _socket = ns is null ? Open() : ns.Run(Open);
        try
        {
            _generation = firewall.UseGenerations();
            _last = _generation.Current();
        }
        catch
        {
            _socket.Dispose();
            throw;
        }
        _thread = new Thread(Run) { IsBackground = true, Name = "plexus-fw-watch" };
        _thread.Start();
    }

    private static NetlinkSocket Open()
    {
        var socket = NetlinkSocket.Open(NftNetlink.Protocol);
        try
        {
            socket.JoinGroup(NftNetlink.GroupNftables, ReceiveQueue);
            socket.SetReceiveTimeout(Idle);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private void Run()
    {
        var buffer = new byte[64 * 1024];
        var turn = new TurnState();
        while (!_stopping)
        {
            try
            {
                Turn(buffer, turn);
            }
            catch (KernelException) when (!_stopping)
            {
                // A datagram that does not parse, a failed generation read: the next turn starts afresh. A foreign
                // batch whose notifications were skipped is still caught if a later one concerns the firewall.
                turn.ClearConcern();
                Thread.Sleep(Settle);
            }
            catch (KernelException)
            {
                return;
            }
        }
    }

    private void Turn(byte[] buffer, TurnState turn)
    {
        var wanted = turn.Pending is null ? Idle : Settle;
        if (wanted != turn.Timeout)
        {
            _socket.SetReceiveTimeout(wanted);
            turn.Timeout = wanted;
        }
        var status = _socket.TryReceive(buffer, out int length);
        if (_stopping) return;
        switch (status)
        {
            case ReceiveStatus.Data:
                foreach (var message in new NetlinkMessageReader(buffer.AsSpan(0, length)))
                {
                    if (!NftNetlink.TryParse(message, out var n)) continue;
                    if (!n.IsGeneration)
                    {
                        // The batch is named by the worst it did: a deleted table says more than its rules going with it.
                        if (Severity(n.Kind) > turn.ConcernSeverity && _firewall.Concerns(n))
                        {
                            turn.Concern = Describe(n);
                            turn.ConcernSeverity = Severity(n.Kind);
                        }
                        continue;
                    }
                    // Generations already judged (after an overrun) are skipped.
                    if (unchecked((int)(n.Generation - _last)) <= 0) continue;
                    _last = n.Generation;
                    // The NEWGEN's header names the committing socket: a batch from one of the firewall's own raw
                    // sockets is Plexus's without any generation bookkeeping; others are judged by their generation.
                    if (turn.Concern is not null && !_firewall.IsOwnSocket(message.Header.PortId) && !_firewall.IsOwnGeneration(n.Generation))
                        turn.Pending ??= new Pending(turn.Concern, $"{n.ProcessName} (pid {n.ProcessId})", Stopwatch.GetTimestamp());
                    turn.ClearConcern();
                }
                if (turn.Pending is { } due && Stopwatch.GetElapsedTime(due.Since) >= MaxDelay) Repair(turn);
                break;
            case ReceiveStatus.Overrun:
                turn.ClearConcern();
                uint now = _generation.Current();
                if (_firewall.AnyForeignGeneration(_last, now))
                    turn.Pending ??= new Pending("notifications were lost while another process changed the ruleset", null, Stopwatch.GetTimestamp());
                _last = now;
                break;
            default:
                if (turn.Pending is not null) Repair(turn);
                else if (_firewall.Damage is { } damage && turn.Retry.Due)
                {
                    turn.Pending = new Pending(damage, null, Stopwatch.GetTimestamp());
                    Repair(turn);
                }
                break;
        }
    }

    private void Repair(TurnState turn)
    {
        var (reason, actor, since) = turn.Pending!.Value;
        turn.Pending = null;
        var result = _firewall.Repair(reason, actor, since);
        if (result is { Succeeded: false }) turn.Retry.Failed();
        else turn.Retry.Reset();
    }

    private static int Severity(byte kind) => kind switch
    {
        NftNetlink.DelTable => 5,
        NftNetlink.DelChain => 4,
        NftNetlink.DelSet => 3,
        NftNetlink.DelRule or NftNetlink.DelSetElem => 2,
        _ => 1,
    };

    private static string Describe(in NftNotification n)
    {
        var what = n.Kind switch
        {
            NftNetlink.DelTable => "deleted table",
            NftNetlink.NewTable => "changed table",
            NftNetlink.DelChain => "deleted chain",
            NftNetlink.NewChain => "changed chain",
            NftNetlink.DelRule => "deleted a rule of",
            NftNetlink.NewRule => "added a rule to",
            NftNetlink.DelSet => "deleted a set of",
            NftNetlink.DelSetElem => "deleted elements of",
            NftNetlink.NewSetElem => "added elements to",
            _ => "changed",
        };
        var where = $"{n.FamilyName} {n.Table}";
        if (n.Chain is not null) where += $" {n.Chain}";
        return $"another process {what} {where}";
    }

    public void Dispose()
    {
        _stopping = true;
        // The thread wakes within Idle (its receive timeout) and sees the flag.
        if (Thread.CurrentThread != _thread) _thread.Join();
        _socket.Dispose();
    }

    private readonly record struct Pending(string Reason, string? Actor, long Since);

    /// <summary>What the thread carries from one receive to the next.</summary>
    private sealed class TurnState
    {
        /// <summary>A foreign batch to answer, once its burst settles.</summary>
        public Pending? Pending;

        /// <summary>What the batch being read did to Plexus's objects, until its NEWGEN arrives.</summary>
        public string? Concern;

        public int ConcernSeverity;

        public void ClearConcern()
        {
            Concern = null;
            ConcernSeverity = 0;
        }

        public TimeSpan Timeout = Idle;

        public RetrySchedule Retry { get; } = new();
    }

    /// <summary>When to try again after a failed repair: 1 s, doubling up to 30 s.</summary>
    private sealed class RetrySchedule
    {
        private TimeSpan _delay = TimeSpan.FromSeconds(1);
        private long _next;

        public bool Due => Stopwatch.GetTimestamp() >= _next;

        public void Failed()
        {
            _next = Stopwatch.GetTimestamp() + (long)(_delay.TotalSeconds * Stopwatch.Frequency);
            _delay = TimeSpan.FromSeconds(Math.Min(30, _delay.TotalSeconds * 2));
        }

        public void Reset()
        {
            _delay = TimeSpan.FromSeconds(1);
            _next = 0;
        }
    }
}
