using Plexus.Kernel.Namespaces;

namespace Plexus.Kernel.Netlink;

/// <summary>
/// Closes sockets on a thread of its own instead of the caller's, for closes the kernel makes wait. Closing a bound
/// NETLINK_NETFILTER socket does: nf_tables' release notifier (nft_rcv_nl_event) takes the namespace's commit mutex
/// and flushes the work that destroys every transaction committed so far, in any namespace, which waits out an RCU
/// grace period (several milliseconds) after any commit. A sandbox's resolver redirect
/// (<see cref="Firewall.Nftables.LoopbackRedirect"/>) keeps its socket for the sandbox's life and hands it here
/// when the sandbox goes, so no request waits for that close.
/// </summary>
internal static class DeferredClose
{
    // A plain queue under a monitor, as NamespaceThread's: a BlockingCollection's SemaphoreSlim spins with sched_yield.
    private static readonly Queue<IDisposable> Queue = new();
    private static readonly object Gate = new();
    private static bool _started;

    /// <summary>Queues <paramref name="resource"/> to be disposed by the closer thread (started on first use).</summary>
    public static void Enqueue(IDisposable resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        lock (Gate)
        {
            if (!_started)
            {
                new Thread(Run) { IsBackground = true, Name = "plexus-closer" }.UnsafeStart();
                _started = true; // only once it runs: a thread that failed to start is tried again next time
            }
            Queue.Enqueue(resource);
            Monitor.Pulse(Gate);
        }
    }

    private static void Run()
    {
        NetworkNamespace.ReturnCallingThreadToProcess(); // the first close may be queued by a namespace worker inside a sandbox
        while (true)
        {
            IDisposable resource;
            lock (Gate)
            {
                while (Queue.Count == 0) Monitor.Wait(Gate);
                resource = Queue.Dequeue();
            }
            try
            {
                resource.Dispose();
            }
            catch (Exception)
            {
                // A close that fails leaves nothing to undo; the descriptor is gone either way (close(2)).
            }
        }
    }
}
