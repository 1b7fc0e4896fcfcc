using Plexus.Kernel.Interop;
using Plexus.Kernel.Route;

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

    /// <summary>Sets a sysctl of this namespace ("net.ipv4.ip_forward" or "net/ipv4/conf/eth0.100/forwarding").</summary>
    public void SetSysctl(string key, string value) => Run(() => Sysctl.Write(key, value));

    public string GetSysctl(string key) => Run(() => Sysctl.Read(key));

    /// <summary>Device and inode of the nsfs file: equal for two handles on the same namespace.</summary>
    public (ulong Device, ulong Inode) Identity
    {
        get
        {
            var info = new FileInfo($"/proc/self/fd/{Descriptor}").ResolveLinkTarget(false);
            // The link reads "net:[4026531840]": the inode is all we need to compare namespaces.
            var text = info?.Name ?? "";
            int open = text.IndexOf('[', StringComparison.Ordinal), close = text.IndexOf(']', StringComparison.Ordinal);
            return open >= 0 && close > open && ulong.TryParse(text.AsSpan(open + 1, close - open - 1), out var inode)
                ? (0UL, inode)
                : throw new KernelException($"read identity of network namespace {this}: unexpected link '{text}'");
        }
    }

    public override string ToString() => Path;

    public void Dispose() => Handle.Dispose();
}
