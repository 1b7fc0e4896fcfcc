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

    /// <summary>
    /// Opens the network namespace bound at <paramref name="path"/> (a bind mount or /proc/PID/ns/net). Anything
    /// else is refused with EINVAL and a message naming what the path is: the path is first located with
    /// O_PATH, which never blocks (a FIFO without a writer would block an open forever) and runs no device
    /// driver's open, and only a file of nsfs is then opened for real.
    /// </summary>
    public static NetworkNamespace OpenPath(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Open(path, $"open network namespace '{path}'", Errno.ENOENT, "no such file");
    }

    /// <summary>Opens the network namespace of a running process (a container started with --net=none, say).</summary>
    public static NetworkNamespace OpenPid(int pid)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pid);
        return Open($"/proc/{pid}/ns/net", $"open network namespace of process {pid}", Errno.ENOENT, $"no process with PID {pid}");
    }

    private static unsafe NetworkNamespace Open(string path, string operation, int hintErrno, string hint)
    {
        using var located = new SafeFileDescriptor(Libc.Open(path, Libc.O_PATH | Libc.O_CLOEXEC, 0));
        if (located.IsInvalid)
        {
            int errno = Errno.Last;
            throw new KernelException(operation, errno, errno == hintErrno ? hint : null);
        }
        byte* buffer = stackalloc byte[256];
        if (Libc.FStatFs(located, buffer) != 0) throw KernelException.FromErrno(operation);
        if (*(long*)buffer != Libc.NSFS_MAGIC)
            throw new KernelException(operation, Errno.EINVAL, $"'{path}' is {FileKind(located)}, not a network namespace");

        // A namespace file: opening it for real cannot block.
        // Held while the sandbox lives: out of select's range (Sockets.DescriptorRange).
        var handle = new SafeFileDescriptor(Sockets.DescriptorRange.Raise(Libc.Open($"/proc/self/fd/{located.Value}", Libc.O_RDONLY | Libc.O_CLOEXEC, 0)));
        if (handle.IsInvalid) throw KernelException.FromErrno(operation);
        int type = Libc.Ioctl(handle, Libc.NS_GET_NSTYPE);
        if (type != Libc.CLONE_NEWNET)
        {
            int errno = Errno.Last;
            handle.Dispose();
            throw type < 0 ? new KernelException(operation, errno)
                : new KernelException(operation, Errno.EINVAL, $"'{path}' is {NamespaceKind(type)}, not a network namespace");
        }
        return new NetworkNamespace(handle, path);
    }

    /// <summary>"a FIFO", "a regular file"... for the error that refuses it.</summary>
    private static unsafe string FileKind(SafeFileDescriptor fd)
    {
        byte* statx = stackalloc byte[256];
        if (Libc.StatX(fd, "", Libc.AT_EMPTY_PATH, Libc.STATX_TYPE, statx) != 0) return "not a namespace file";
        return (*(ushort*)(statx + Libc.StatxModeOffset) & Libc.S_IFMT) switch
        {
            Libc.S_IFIFO => "a FIFO",
            Libc.S_IFCHR => "a character device",
            Libc.S_IFBLK => "a block device",
            Libc.S_IFDIR => "a directory",
            Libc.S_IFREG => "a regular file",
            Libc.S_IFLNK => "a symbolic link",
            Libc.S_IFSOCK => "a socket",
            _ => "not a namespace file",
        };
    }

    private static string NamespaceKind(int type) => type switch
    {
        0x00020000 => "a mount namespace",
        0x04000000 => "a UTS namespace",
        0x08000000 => "an IPC namespace",
        0x10000000 => "a user namespace",
        0x20000000 => "a PID namespace",
        0x02000000 => "a cgroup namespace",
        0x00000080 => "a time namespace",
        _ => "a namespace of type 0x" + type.ToString("x", System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>The namespace of the process's main thread: the daemon's "host" namespace.</summary>
    public static NetworkNamespace OpenProcess() => OpenPath("/proc/self/ns/net");

    /// <summary>
    /// Moves the calling thread into the process's namespace. A thread starts in its creator's namespace, and a
    /// long-lived helper thread (a closer, a lane) may be created by a namespace worker inside a sandbox's: back at
    /// home it never keeps a sandbox's namespace alive. Best effort: a thread left elsewhere still does its work.
    /// </summary>
    internal static void ReturnCallingThreadToProcess()
    {
        try
        {
            using var home = OpenProcess();
            _ = Libc.SetNs(home.Handle, Libc.CLONE_NEWNET);
        }
        catch (KernelException)
        {
        }
    }

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

    /// <summary>Opens rtnetlink inside this namespace over several sockets, taken in turn (see <see cref="RtNetlink.Open(int)"/>).</summary>
    public RtNetlink OpenRtNetlink(int sockets) => Run(() => RtNetlink.Open(sockets));

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
    public (ulong Device, ulong Inode) Identity => _identity ??= ReadIdentity(Handle, this);

    private (ulong, ulong)? _identity;

    private static (ulong, ulong) ReadIdentity(SafeFileDescriptor handle, object what) =>
        StatIdentity.Of(handle) ?? throw KernelException.FromErrno($"read identity of network namespace {what}");

    /// <summary>
    /// True when this is the namespace of the process's main thread, where every thread but a namespace
    /// worker is: work for it can run on the calling thread, without a hand-over to a worker (the daemon's
    /// host namespace is its own, so host-side sysctls and firewall commands run inline).
    /// </summary>
    internal bool IsProcessNamespace => _isProcess ??= Identity == s_processIdentity.Value;

    private bool? _isProcess;

    private static readonly Lazy<(ulong, ulong)> s_processIdentity = new(() =>
    {
        using var self = OpenProcess();
        return self.Identity;
    });

    public override string ToString() => Path;

    public void Dispose() => Handle.Dispose();
}
