using Plexus.Kernel.Interop;
using Plexus.Kernel.Rtnl;

namespace Plexus.Kernel.Namespaces;

/// <summary>
/// An open handle on a network namespace (an nsfs file descriptor). Holding it keeps the namespace
/// alive. Work inside it runs on <see cref="NamespaceThread"/>; sockets opened there stay in it.
/// </summary>
public sealed class NetworkNamespace : IDisposable
{
    private NetworkNamespace(SafeFileDescriptor handle, string path)
    {
        Handle = handle;
        Path = path;
    }

    /// <summary>Where the handle was opened from (a bind mount or /proc/PID/ns/net).</summary>
    public string Path { get; }

    internal SafeFileDescriptor Handle { get; }

    /// <summary>The raw descriptor, for IFLA_NET_NS_FD. Valid while this object is not disposed.</summary>
    internal int Descriptor
    {
        get
        {
            ObjectDisposedException.ThrowIf(Handle.IsClosed, this);
            return Handle.Value;
        }
    }

    /// <summary>Opens the namespace bound at <paramref name="path"/> (a bind mount or /proc/PID/ns/net).</summary>
    public static NetworkNamespace OpenPath(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        int fd = Libc.Open(path, Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
        if (fd < 0)
        {
            int errno = Errno.Last;
            throw new KernelException($"open network namespace '{path}'", errno,
                errno == Errno.ENOENT ? "no such namespace file" : null);
        }
        return new NetworkNamespace(new SafeFileDescriptor(fd), path);
    }

    /// <summary>Opens the network namespace of a running process (a container started with --net=none, say).</summary>
    public static NetworkNamespace OpenPid(int pid)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pid);
        var path = $"/proc/{pid}/ns/net";
        int fd = Libc.Open(path, Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
        if (fd < 0)
        {
            int errno = Errno.Last;
            throw new KernelException($"open network namespace of process {pid}", errno,
                errno == Errno.ENOENT ? $"no process with PID {pid}" : null);
        }
        return new NetworkNamespace(new SafeFileDescriptor(fd), path);
    }

    /// <summary>The namespace of the process's main thread: the daemon's "host" namespace.</summary>
    public static NetworkNamespace OpenProcess() => OpenPath("/proc/self/ns/net");

    /// <summary>Runs work inside this namespace on a dedicated thread.</summary>
    public T Run<T>(Func<T> work) => NamespaceThread.Shared.Run(this, work);

    public void Run(Action work) => NamespaceThread.Shared.Run(this, work);

    /// <summary>Queues work to run inside this namespace and returns at once (see <see cref="NamespaceThread.RunAsync"/>).</summary>
    public Task<T> RunAsync<T>(Func<T> work) => NamespaceThread.Shared.RunAsync(this, work);

    /// <summary>
    /// Starts a process inside this namespace: it is forked from the worker thread while that thread is in
    /// the namespace, so the child inherits it (as `ip netns exec` does, without the extra process).
    /// </summary>
    public System.Diagnostics.Process StartProcess(System.Diagnostics.ProcessStartInfo startInfo)
    {
        ArgumentNullException.ThrowIfNull(startInfo);
        return Run(() => System.Diagnostics.Process.Start(startInfo)
            ?? throw new KernelException($"start '{startInfo.FileName}' in network namespace {this}: no process was started"));
    }

    /// <summary>Opens rtnetlink inside this namespace; usable from any thread afterwards.</summary>
    public RtNetlink OpenRtNetlink() => Run(RtNetlink.Open);

    /// <summary>
    /// Starts opening rtnetlink inside this namespace and returns at once, so the caller can do host-side
    /// work (create the veth pair) meanwhile. Dispose the result; if the task is abandoned, the socket is
    /// closed only when the garbage collector finalises it.
    /// </summary>
    public Task<RtNetlink> OpenRtNetlinkAsync() => RunAsync(RtNetlink.Open);

    /// <summary>Sets a sysctl of this namespace ("net.ipv4.ip_forward" or "net/ipv4/conf/eth0.100/forwarding").</summary>
    public void SetSysctl(string key, string value) => Run(() => Sysctl.Write(key, value));

    public string GetSysctl(string key) => Run(() => Sysctl.Read(key));

    /// <summary>Device and inode of the nsfs file: equal for two handles on the same namespace.</summary>
    public unsafe (ulong Device, ulong Inode) Identity
    {
        get
        {
            byte* stat = stackalloc byte[256];
            if (Libc.FStat(Handle, stat) != 0) throw KernelException.FromErrno($"read identity of network namespace {this}");
            return (*(ulong*)stat, *(ulong*)(stat + 8));
        }
    }

    public override string ToString() => Path;

    public void Dispose() => Handle.Dispose();
}
