using Plexus.Kernel.Interop;

namespace Plexus.Kernel.Namespaces;

/// <summary>
/// Dedicated OS threads that run work inside other network namespaces. setns changes only the calling
/// thread, so namespace work never runs on a thread-pool thread: it is queued here, the worker enters the
/// namespace, runs the work without awaiting, and goes back home. A worker that cannot get back home is
/// retired, never reused, so no thread is ever left in a foreign namespace doing other work.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "Workers live as long as the process.")]
public sealed class NamespaceThread
{
    /// <summary>The process-wide workers.</summary>
    public static NamespaceThread Shared { get; } = new(Math.Clamp(Environment.ProcessorCount, 1, 4));

    [ThreadStatic] private static Worker? t_current;

    // A plain queue under a monitor, not a BlockingCollection: its SemaphoreSlim spins with sched_yield
    // before it sleeps, and on a loaded 2-core VM every yield is a context switch (perf: 6% of plexusd's
    // CPU under attaches). An idle worker sleeps at once and is woken by the one who queues.
    private readonly Queue<WorkItem> _queue = new();
    private readonly object _gate = new();
    private int _idle;
    private readonly Lock _lock = new();
    private int _workers;
    private readonly int _size;

    public NamespaceThread(int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        _size = size;
    }

    /// <summary>Runs <paramref name="work"/> inside <paramref name="target"/> and returns its result.</summary>
    public T Run<T>(NetworkNamespace target, Func<T> work)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(work);
        if (t_current is { } self)
            return self.RunNested(target, work); // already on a worker: no queue hop (and no deadlock)
        if (target.IsProcessNamespace)
            return work(); // every thread but a worker is in the process's namespace: nothing to enter
        var item = new WorkItem<T>(target, work);
        EnsureWorkers();
        Enqueue(item);
        return item.Wait();
    }

    public void Run(NetworkNamespace target, Action work)
    {
        ArgumentNullException.ThrowIfNull(work);
        Run(target, () =>
        {
            work();
            return true;
        });
    }

    /// <summary>
    /// Queues <paramref name="work"/> to run inside <paramref name="target"/> and returns at once; the task
    /// completes on the worker when the work has run. Lets a caller overlap namespace work with its own:
    /// an attach opens its socket in the sandbox's namespace while it creates the veth pair from the host,
    /// hiding the hand-over to a worker (a thread wake-up, often 0.1 ms) instead of waiting for it.
    /// Nothing blocks a thread-pool thread meanwhile. Called on a worker, it runs the work at once.
    /// </summary>
    public Task<T> RunAsync<T>(NetworkNamespace target, Func<T> work)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(work);
        if (t_current is { } self)
        {
            try
            {
                return Task.FromResult(self.RunNested(target, work));
            }
            catch (Exception e)
            {
                return Task.FromException<T>(e);
            }
        }
        var item = new AsyncWorkItem<T>(target, work);
        EnsureWorkers();
        Enqueue(item);
        return item.Task;
    }

    /// <summary>
    /// Runs work in a brand-new network namespace (unshare) and returns the result; the namespace is
    /// handed to <paramref name="work"/> as the calling thread's own. Used to create namespaces.
    /// </summary>
    internal T RunInNewNamespace<T>(Func<T> work)
    {
        if (t_current is { } self) return self.RunInNew(work);
        var item = new WorkItem<T>(null, work);
        EnsureWorkers();
        Enqueue(item);
        return item.Wait();
    }

    private void Enqueue(WorkItem item)
    {
        lock (_gate)
        {
            _queue.Enqueue(item);
            if (_idle > 0) Monitor.Pulse(_gate);
        }
    }

    private WorkItem Take()
    {
        lock (_gate)
        {
            while (_queue.Count == 0)
            {
                _idle++;
                try
                {
                    Monitor.Wait(_gate);
                }
                finally
                {
                    _idle--;
                }
            }
            return _queue.Dequeue();
        }
    }

    private void EnsureWorkers()
    {
        if (Volatile.Read(ref _workers) >= _size) return;
        lock (_lock)
        {
            while (_workers < _size)
            {
                _workers++;
                var worker = new Worker(this);
                var thread = new Thread(worker.Loop) { IsBackground = true, Name = "plexus-netns" };
                thread.Start();
            }
        }
    }

    private void Retire()
    {
        lock (_lock) _workers--;
    }

    private abstract class WorkItem
    {
        public abstract void Execute(Worker worker);
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The event is disposed by Wait, once.")]
    private sealed class WorkItem<T>(NetworkNamespace? target, Func<T> work) : WorkItem
    {
        // No spinning before the caller sleeps: the spin's sched_yields cost more than the wake-up here.
        private readonly ManualResetEventSlim _done = new(false, spinCount: 0);
        private T? _result;
        private Exception? _error;

        public override void Execute(Worker worker)
        {
            try
            {
                _result = target is null ? worker.RunInNew(work) : worker.RunNested(target, work);
            }
            catch (Exception e)
            {
                _error = e;
            }
            finally
            {
                _done.Set();
            }
        }

        public T Wait()
        {
            _done.Wait();
            _done.Dispose();
            if (_error is not null)
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(_error);
            return _result!;
        }
    }

    private sealed class AsyncWorkItem<T>(NetworkNamespace target, Func<T> work) : WorkItem
    {
        // Continuations go to the thread pool, never inline on the worker, which must only run namespace work.
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<T> Task => _completion.Task;

        public override void Execute(Worker worker)
        {
            try
            {
                _completion.SetResult(worker.RunNested(target, work));
            }
            catch (Exception e)
            {
                _completion.SetException(e);
            }
        }
    }

    private sealed class Worker(NamespaceThread owner)
    {
        /// <summary>Where a worker is while it runs work in a namespace it made itself (<see cref="RunInNew"/>): not one it can name.</summary>
        private static readonly object Elsewhere = new();

        private NetworkNamespace? _home;
        private bool _broken;

        // Where this thread is now: null at home, the namespace an outer Run entered, or Elsewhere. It saves
        // the hops of nested work for the namespace the thread is already in (a resolver's start opens three
        // sockets in its sandbox, each through Run) and, at home, the reopening of the way back (7 syscalls).
        private object? _where;

        public void Loop()
        {
            t_current = this;
            try
            {
                _home = NetworkNamespace.OpenPath("/proc/thread-self/ns/net");
                while (!_broken) owner.Take().Execute(this);
            }
            finally
            {
                owner.Retire();
                _home?.Dispose();
            }
        }

        public T RunNested<T>(NetworkNamespace target, Func<T> work)
        {
            var outer = _where;
            if (ReferenceEquals(outer, target)) return work(); // already inside (same handle): nothing to enter or leave
            // Remember where this thread is now (home, or an outer Run's namespace) and return there.
            using var opened = outer is null ? null : NetworkNamespace.OpenPath("/proc/thread-self/ns/net");
            var back = opened ?? _home!;
            Enter(target);
            _where = target;
            try
            {
                return work();
            }
            finally
            {
                Return(back);
                _where = outer;
            }
        }

        public T RunInNew<T>(Func<T> work)
        {
            var outer = _where;
            using var opened = outer is null ? null : NetworkNamespace.OpenPath("/proc/thread-self/ns/net");
            var back = opened ?? _home!;
            if (Libc.Unshare(Libc.CLONE_NEWNET) != 0)
                throw KernelException.FromErrno("create network namespace (unshare)");
            _where = Elsewhere;
            try
            {
                return work();
            }
            finally
            {
                Return(back);
                _where = outer;
            }
        }

        private static void Enter(NetworkNamespace ns)
        {
            if (Libc.SetNs(ns.Handle, Libc.CLONE_NEWNET) != 0)
                throw KernelException.FromErrno($"enter network namespace {ns}");
        }

        private void Return(NetworkNamespace back)
        {
            if (Libc.SetNs(back.Handle, Libc.CLONE_NEWNET) == 0) return;
            // Cannot get back: this thread must never run anything again.
            _broken = true;
            throw new KernelException($"return to network namespace {back}", Errno.Last,
                "the worker thread is stranded in a foreign namespace and has been retired");
        }
    }
}
