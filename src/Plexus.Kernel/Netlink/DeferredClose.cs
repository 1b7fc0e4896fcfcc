using System.Collections.Concurrent;

namespace Plexus.Kernel.Netlink;

/// <summary>
/// Closes sockets on a thread of its own instead of the caller's, for closes the kernel makes wait. Closing a bound
/// NETLINK_NETFILTER socket does: nf_tables' release notifier (nft_rcv_nl_event) takes the namespace's commit mutex
/// and flushes the work that destroys every transaction committed so far, in any namespace, which waits out an RCU
/// grace period (several milliseconds) after any commit. A sandbox's resolver redirect (LoopbackRedirect) keeps its
/// socket for the sandbox's life and hands it here when the sandbox goes, so no request waits for that close.
/// </summary>
internal static class DeferredClose
{
    private static readonly BlockingCollection<IDisposable> Queue = [];
    private static int _started;
    private static int _pending;

    /// <summary>Queues <paramref name="resource"/> to be disposed by the closer thread (started on first use).</summary>
    public static void Enqueue(IDisposable resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        if (Interlocked.Exchange(ref _started, 1) == 0)
            new Thread(Run) { IsBackground = true, Name = "plexus-closer" }.Start();
        Interlocked.Increment(ref _pending);
        Queue.Add(resource);
    }

    /// <summary>Closes queued but not yet closed (for tests, which wait for it to reach 0).</summary>
    public static int Pending => Volatile.Read(ref _pending);

    private static void Run()
    {
        foreach (var resource in Queue.GetConsumingEnumerable())
        {
            try
            {
                resource.Dispose();
            }
            catch (Exception)
            {
                // A close that fails leaves nothing to undo; the descriptor is gone either way (close(2)).
            }
            Interlocked.Decrement(ref _pending);
        }
    }
}
