using System.Net.Sockets;
using Plexus.Kernel.Interop;

namespace Plexus.Kernel.Sockets;

/// <summary>
/// Descriptors held for as long as a sandbox lives (its namespace, its netlink socket, its resolver's sockets)
/// are kept at 1024 and above, out of select(2)'s range. libnftables 1.0.x waits for the kernel's answers with
/// select, and glibc ends the whole process ("bit out of range 0 - FD_SETSIZE on fd_set") when select is given a
/// descriptor of 1024 or more. With four such descriptors per sandbox, about 250 sandboxes filled the low range
/// and the next libnftables context (one per resolver redirect) took plexusd down. The low range stays for the
/// few short-lived descriptors that need it. Where the open-files limit leaves no room above 1024, a descriptor
/// stays where it is (plexusd raises its soft limit to the hard one at start).
/// </summary>
public static class DescriptorRange
{
    /// <summary>glibc's FD_SETSIZE: select(2) takes descriptors below it only.</summary>
    public const int SelectLimit = 1024;

    /// <summary>Moves <paramref name="fd"/> to the lowest free descriptor at or above <see cref="SelectLimit"/> (close-on-exec) and returns it.</summary>
    internal static int Raise(int fd)
    {
        if (fd < 0 || fd >= SelectLimit) return fd;
        int moved = Libc.Fcntl(fd, Libc.F_DUPFD_CLOEXEC, SelectLimit);
        if (moved < 0) return fd; // EINVAL/EMFILE: no room above the range under this limit
        Libc.Close(fd);
        return moved;
    }

    /// <summary>
    /// Raises the soft limit on open files to the hard one (as .NET's JIT runtime does at start; a native
    /// build does not): a sandbox holds four descriptors, and systemd's default soft limit of 1024 would end
    /// a daemon at about 250 sandboxes. Returns the soft limit now in force.
    /// </summary>
    public static ulong RaiseOpenFilesLimit()
    {
        if (Libc.GetRLimit(Libc.RLIMIT_NOFILE, out var limit) != 0) return 0;
        if (limit.Current >= limit.Maximum) return limit.Current;
        var raised = limit with { Current = limit.Maximum };
        return Libc.SetRLimit(Libc.RLIMIT_NOFILE, raised) == 0 ? raised.Current : limit.Current;
    }

    /// <summary>A socket not yet bound or connected, moved out of select's range (see <see cref="Raise(int)"/>).</summary>
    public static Socket Raise(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        int fd = (int)socket.Handle;
        if (fd >= SelectLimit) return socket;
        int moved = Libc.Fcntl(fd, Libc.F_DUPFD_CLOEXEC, SelectLimit);
        if (moved < 0) return socket;
        socket.Dispose();
        return new Socket(new SafeSocketHandle(moved, ownsHandle: true));
    }
}
