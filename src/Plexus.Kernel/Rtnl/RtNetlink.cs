using Plexus.Kernel.Interop;
using Plexus.Kernel.Netlink;

namespace Plexus.Kernel.Rtnl;

/// <summary>
/// rtnetlink: links, addresses, routes and neighbours of one network namespace (the one the socket was
/// opened in). Every call is one request to the kernel; nothing spawns a process. Thread-safe.
/// </summary>
public sealed partial class RtNetlink : IDisposable
{
    private const int NetlinkRoute = 0;
    private readonly NetlinkConnection[] _connections;
    private int _next;

    internal RtNetlink(params NetlinkConnection[] connections) => _connections = connections;

    /// <summary>Opens rtnetlink in the calling thread's network namespace.</summary>
    public static RtNetlink Open() => new(NetlinkConnection.Open(NetlinkRoute));

    /// <summary>
    /// Opens rtnetlink in the calling thread's network namespace over several sockets, taken in turn: one socket
    /// serialises its requests (it waits for each answer), so threads sharing one would queue behind each other
    /// in user space as well as on the kernel's own lock. For the daemon's host namespace, which every attach uses.
    /// </summary>
    public static RtNetlink Open(int sockets)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sockets, 1);
        var connections = new NetlinkConnection[sockets];
        try
        {
            for (int i = 0; i < sockets; i++) connections[i] = NetlinkConnection.Open(NetlinkRoute);
        }
        catch
        {
            foreach (var c in connections) c?.Dispose();
            throw;
        }
        return new RtNetlink(connections);
    }

    /// <summary>
    /// The socket for the next request: the only one, or the first free one from the next in turn, or that one when all
    /// are busy. Taken strictly in turn, a request waited for a busy socket while others were free: with eight attaches
    /// at once on four sockets, request threads blocked on a socket's lock about 300 times a second.
    /// </summary>
    internal NetlinkConnection Connection
    {
        get
        {
            if (_connections.Length == 1) return _connections[0];
            uint start = (uint)Interlocked.Increment(ref _next), count = (uint)_connections.Length;
            for (uint i = 0; i < count; i++)
            {
                var candidate = _connections[(start + i) % count];
                if (!candidate.InUse) return candidate;
            }
            return _connections[start % count];
        }
    }

    /// <summary>The sockets (for tests).</summary>
    internal IReadOnlyList<NetlinkConnection> Connections => _connections;

    /// <summary>Starts a batch: several requests sent in one datagram (see <see cref="RtnlBatch"/>).</summary>
    public RtnlBatch Batch() => new(this);

    public void Dispose()
    {
        foreach (var connection in _connections) connection.Dispose();
    }

    /// <summary>"'br0'" when the index still names a link, else "link 7"; used only on error paths.</summary>
    internal string Describe(int index)
    {
        try
        {
            return FindLink(index) is { } link ? $"'{link.Name}'" : $"link {index}";
        }
        catch (KernelException)
        {
            return $"link {index}";
        }
    }

    /// <summary>
    /// Re-throws a kernel error with the object named and our hint; the kernel's own words, when it gave
    /// some, are kept after the hint.
    /// </summary>
    internal static NetlinkException Explain(NetlinkException e, string operation, Func<int, string?> hint)
    {
        var ours = hint(e.ErrorNumber);
        var text = (ours, e.KernelMessage) switch
        {
            (null, var k) => k,
            (var o, null) => o,
            var (o, k) => $"{o} (kernel: {k})",
        };
        return new NetlinkException(operation, e.ErrorNumber, text, e.AttributeOffset);
    }

    internal static string? NoHint(int errno) => errno switch
    {
        Errno.EPERM => "operation not permitted: Plexus needs CAP_NET_ADMIN (run as root)",
        _ => null,
    };
}
