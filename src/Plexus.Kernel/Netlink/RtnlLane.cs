using System.Runtime.ExceptionServices;
using Plexus.Kernel.Interop;
using Plexus.Kernel.Namespaces;

namespace Plexus.Kernel.Netlink;

/// <summary>
/// rtnetlink requests that overlap go to the kernel one at a time, from one thread, instead of spinning on its lock.
/// <para>
/// The kernel runs every rtnetlink request under one lock for the whole machine (rtnl). A thread that finds it held by
/// a thread running on another CPU spins until it is free (mutex_spin_on_owner). With eight attaches at once on two
/// CPUs a fifth of plexusd's CPU went to that spinning, and the CPU it took was the one the other attaches needed for
/// their HTTP, store and firewall work. While requests overlap, the lane takes them: one thread sends each in turn,
/// at real-time priority (<see cref="LanePriority"/>) so that it runs as soon as there is one and the lock is never
/// left idle with requests waiting, while the callers sleep and the other CPU does everything else.
/// </para>
/// <para>
/// A lone request goes straight to the kernel from its caller's thread, as before: handing it over would cost two
/// wake-ups and win nothing. The lane engages when a request finds another one in flight and disengages once it has
/// had nothing to send for <see cref="IdleMilliseconds"/>; a single attach, made of requests one after the other,
/// never uses it. A process turns it on (<see cref="Enabled"/>).
/// </para>
/// <para>
/// Only the send goes through the lane: the kernel runs such a request inside sendmsg and has queued its answers on
/// the caller's socket before the send returns, and the caller reads them itself. Dumps and link deletions, whose work
/// goes on outside that (<see cref="ForTheLane"/>), are always sent by their caller. The lane only makes system calls
/// and takes no lock a caller may hold, so a caller holding its connection's lock cannot block it.
/// </para>
/// <para>
/// A real-time thread is not held back by CFS limits (a cgroup's cpu.max, systemd's CPUQuota): the kernel work of
/// plexusd's rtnetlink requests runs on it throttled only by the kernel's global real-time limit (95% of each second).
/// That work is the daemon's own network changes, done under a lock for the whole machine either way. Threads and
/// processes the lane might create do not inherit its policy (SCHED_RESET_ON_FORK).
/// </para>
/// </summary>
public static unsafe class RtnlLane
{
    private static volatile bool _enabled;

    /// <summary>
    /// Whether the process uses the lane; off until it says so. plexusd turns it on: its requests overlap with work
    /// that needs the CPU. A program that does nothing but rtnetlink requests (a short-lived CNI plugin, the
    /// benchmark's floor) gains nothing from it and leaves it off.
    /// </summary>
    public static bool Enabled
    {
        get => _enabled;
        set => _enabled = value;
    }

    /// <summary>How long the lane stays engaged with nothing to send.</summary>
    internal const int IdleMilliseconds = 20;

    /// <summary>
    /// The lane thread's real-time priority (SCHED_FIFO), the lowest: no ordinary thread preempts it while it has a
    /// request to send, and it sleeps as soon as it has none. Preempted, it left the lock idle with requests waiting:
    /// at nice -10 it was, about 600 times in two seconds of attaches.
    /// </summary>
    internal const int LanePriority = 1;

    /// <summary>
    /// Its nice value where a real-time policy is refused but a negative nice value is not (a cgroup without real-time
    /// time, systemd's RestrictRealtime); without CAP_SYS_NICE it keeps the default priority, and the lane still works.
    /// </summary>
    internal const int LaneNice = -10;

    private static readonly object Gate = new();
    private static readonly Queue<Request> Queue = new();
    private static int _inFlight; // requests being sent straight to the kernel, or waiting for or in the lane
    private static volatile bool _engaged;
    private static bool _started;
    private static long _laneSends;
    private static int _laneThreadId;

    [ThreadStatic]
    private static Request? t_request;

    /// <summary>A caller's request while the lane has it: the datagram stays pinned by the waiting caller.</summary>
    private sealed class Request
    {
        public NetlinkSocket? Socket;
        public byte* Data;
        public int Length;
        public Exception? Error;
        public bool Done;
    }

    /// <summary>Whether requests go through the lane now (for tests).</summary>
    internal static bool Engaged => _engaged;

    /// <summary>Requests the lane has sent since the process started (for tests).</summary>
    internal static long LaneSends => Interlocked.Read(ref _laneSends);

    /// <summary>The lane thread's kernel thread id, 0 before it started (for tests).</summary>
    internal static int LaneThreadId => Volatile.Read(ref _laneThreadId);

    /// <summary>Sends one rtnetlink datagram on <paramref name="socket"/>: straight away when no other is in flight, else through the lane.</summary>
    internal static void Send(NetlinkSocket socket, ReadOnlySpan<byte> datagram)
    {
        if (!_enabled || !ForTheLane(datagram))
        {
            socket.SendDirect(datagram);
            return;
        }
        if (!_engaged)
        {
            if (Interlocked.Increment(ref _inFlight) == 1)
            {
                try
                {
                    socket.SendDirect(datagram);
                }
                finally
                {
                    Interlocked.Decrement(ref _inFlight);
                }
                return;
            }
            Interlocked.Decrement(ref _inFlight);
            _engaged = true;
        }
        SendThroughLane(socket, datagram);
    }

    private const ushort RtmDelLink = 17;

    /// <summary>
    /// Whether a datagram's work is done under the rtnl lock inside sendmsg, which the lane is for. A query is not (a
    /// dump's later parts run in the caller's recvmsg; rtnetlink's GET types are the ones whose number is 2 mod 4), nor
    /// a link deletion (after it lets go of the lock, the kernel waits in the same call for the device's references and
    /// RCU grace periods, milliseconds): in the lane they would hold up every request behind them. They go straight to
    /// the kernel. Only the first message's type is read: a batch (RtnlBatch) holds no queries and no link deletions.
    /// </summary>
    internal static bool ForTheLane(ReadOnlySpan<byte> datagram)
    {
        if (datagram.Length < 6) return false;
        ushort type = System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(datagram[4..]);
        return type != RtmDelLink && type % 4 != 2;
    }

    private static void SendThroughLane(NetlinkSocket socket, ReadOnlySpan<byte> datagram)
    {
        var request = t_request ??= new Request();
        fixed (byte* data = datagram)
        {
            request.Socket = socket;
            request.Data = data;
            request.Length = datagram.Length;
            request.Error = null;
            request.Done = false;
            bool queued = false;
            Interlocked.Increment(ref _inFlight);
            try
            {
                lock (Gate)
                {
                    if (!_started)
                    {
                        try
                        {
                            new Thread(Run) { IsBackground = true, Name = "plexus-rtnl" }.UnsafeStart();
                            _started = true;
                        }
                        catch (OutOfMemoryException)
                        {
                            // No thread for the lane: this request goes straight to the kernel; a later one tries again.
                        }
                    }
                    if (_started)
                    {
                        Queue.Enqueue(request);
                        Monitor.Pulse(Gate);
                        queued = true;
                    }
                }
            }
            finally
            {
                if (!queued) Interlocked.Decrement(ref _inFlight);
            }
            if (!queued)
            {
                socket.SendDirect(datagram);
                return;
            }
            // Not interruptible: the lane holds this request (and the pinned datagram) until it says it is done.
            lock (request)
            {
                while (!request.Done)
                {
                    try
                    {
                        Monitor.Wait(request);
                    }
                    catch (ThreadInterruptedException)
                    {
                    }
                }
            }
            request.Socket = null;
            request.Data = null;
        }
        if (request.Error is { } error)
        {
            request.Error = null;
            ExceptionDispatchInfo.Throw(error);
        }
    }

    private static void Run()
    {
        NetworkNamespace.ReturnCallingThreadToProcess(); // the first contended request may come from a namespace worker
        int tid = Libc.GetTid();
        int priority = LanePriority;
        if (Libc.SchedSetScheduler(tid, Libc.SCHED_FIFO | Libc.SCHED_RESET_ON_FORK, &priority) != 0)
            _ = Libc.SetPriority(Libc.PRIO_PROCESS, tid, LaneNice);
        Volatile.Write(ref _laneThreadId, tid);
        while (true)
        {
            Request request;
            lock (Gate)
            {
                while (Queue.Count == 0)
                {
                    if (!_engaged) Monitor.Wait(Gate);
                    else if (!Monitor.Wait(Gate, IdleMilliseconds) && Queue.Count == 0) _engaged = false;
                }
                request = Queue.Dequeue();
            }
            try
            {
                request.Socket!.SendDirect(new ReadOnlySpan<byte>(request.Data, request.Length));
            }
            catch (Exception e)
            {
                request.Error = e;
            }
            Interlocked.Increment(ref _laneSends);
            Interlocked.Decrement(ref _inFlight);
            lock (request)
            {
                request.Done = true;
                Monitor.Pulse(request);
            }
        }
    }
}
