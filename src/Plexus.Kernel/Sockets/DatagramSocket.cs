using System.Net;
using Plexus.Kernel.Interop;
using Plexus.Kernel.Namespaces;

namespace Plexus.Kernel.Sockets;

/// <summary>
/// A UDP socket opened inside a network namespace and served by a <see cref="DatagramReactor"/>.
/// Disposing stops serving it and closes it (once the reactor is done with any datagram in hand).
/// </summary>
public sealed class DatagramSocket : IDisposable
{
    private readonly DatagramReactor _reactor;

    internal DatagramSocket(DatagramReactor reactor, SafeFileDescriptor fd, IDatagramHandler handler, int id)
    {
        _reactor = reactor;
        Fd = fd;
        Handler = handler;
        Id = id;
        LocalPort = PortOf(fd);
    }

    /// <summary>The port it is bound to (the one the kernel chose, when bound to port 0).</summary>
    public int LocalPort { get; }

    internal SafeFileDescriptor Fd { get; }

    internal IDatagramHandler Handler { get; }

    internal int Id { get; }

    /// <summary>Opens a non-blocking UDP socket bound to <paramref name="endpoint"/> inside <paramref name="ns"/>.</summary>
    internal static unsafe SafeFileDescriptor Open(NetworkNamespace ns, IPEndPoint endpoint) => ns.Run(() =>
    {
        const int AF_INET = 2, SOCK_NONBLOCK = 0x800;
        int raw = Libc.Socket(AF_INET, Libc.SOCK_DGRAM | SOCK_NONBLOCK | Libc.SOCK_CLOEXEC, 0);
        if (raw < 0) throw KernelException.FromErrno("socket");
        var fd = new SafeFileDescriptor(DescriptorRange.Raise(raw)); // one per sandbox: out of select's range
        Span<byte> sockaddr = stackalloc byte[DatagramPeer.Length];
        DatagramPeer.Write(sockaddr, endpoint);
        fixed (byte* p = sockaddr)
        {
            if (Libc.Bind(fd, p, DatagramPeer.Length) < 0)
            {
                int errno = Errno.Last;
                fd.Dispose();
                throw new KernelException($"bind {endpoint}", errno);
            }
        }
        return fd;
    });

    private static unsafe int PortOf(SafeFileDescriptor fd)
    {
        byte* address = stackalloc byte[DatagramPeer.Length];
        int length = DatagramPeer.Length;
        if (Libc.GetSockName(fd, address, &length) != 0) throw KernelException.FromErrno("getsockname");
        return (address[2] << 8) | address[3]; // sockaddr_in: family (2 bytes), then the port in network order
    }

    /// <summary>Sends a datagram to <paramref name="destination"/> from any thread; false when it could not go now.</summary>
    public unsafe bool SendTo(ReadOnlySpan<byte> datagram, in DatagramPeer destination)
    {
        bool added = false;
        try
        {
            Fd.DangerousAddRef(ref added);
            byte* to = stackalloc byte[DatagramPeer.Length];
            destination.CopyTo(new Span<byte>(to, DatagramPeer.Length));
            fixed (byte* data = datagram)
                return Libc.SendTo(Fd, data, (nuint)datagram.Length, DatagramReactor.MSG_DONTWAIT, to, DatagramPeer.Length) >= 0;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
        finally
        {
            if (added) Fd.DangerousRelease();
        }
    }

    public void Dispose() => _reactor.Remove(this);
}
