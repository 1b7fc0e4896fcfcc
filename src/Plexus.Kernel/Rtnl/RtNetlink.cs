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
    private readonly NetlinkConnection _connection;

    internal RtNetlink(NetlinkConnection connection) => _connection = connection;

    /// <summary>Opens rtnetlink in the calling thread's network namespace.</summary>
    public static RtNetlink Open() => new(NetlinkConnection.Open(NetlinkRoute));

    internal NetlinkConnection Connection => _connection;

    public void Dispose() => _connection.Dispose();

    /// <summary>"'br0'" when the index still names a link, else "link 7"; used only on error paths.</summary>
    private string Describe(int index)
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
    private static NetlinkException Explain(NetlinkException e, string operation, Func<int, string?> hint)
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

    private static string? NoHint(int errno) => errno switch
    {
        Errno.EPERM => "operation not permitted: Plexus needs CAP_NET_ADMIN (run as root)",
        _ => null,
    };
}
