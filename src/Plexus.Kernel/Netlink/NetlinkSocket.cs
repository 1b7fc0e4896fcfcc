using System.Runtime.InteropServices;
using Plexus.Kernel.Interop;

namespace Plexus.Kernel.Netlink;

/// <summary>
/// A bound AF_NETLINK socket. The socket belongs to the network namespace of the thread that created it
/// and stays there, so once opened it can be used from any thread.
/// </summary>
internal sealed class NetlinkSocket : IDisposable
{
    private readonly SafeFileDescriptor _fd;

    [StructLayout(LayoutKind.Sequential)]
    private struct SockAddrNetlink
    {
        public ushort Family;
        public ushort Pad;
        public uint PortId;
        public uint Groups;
    }

    private const int NetlinkRoute = 0;

    /// <summary>An rtnetlink socket: its requests run under the kernel's rtnl lock and go through <see cref="RtnlLane"/>.</summary>
    private readonly bool _route;

    private NetlinkSocket(SafeFileDescriptor fd, uint portId, bool route)
    {
        _fd = fd;
        PortId = portId;
        _route = route;
    }

    /// <summary>The port id the kernel gave this socket; replies are addressed to it.</summary>
    public uint PortId { get; }

    /// <summary>The descriptor (for tests that check it was closed).</summary>
    internal int Descriptor => _fd.Value;

    public static unsafe NetlinkSocket Open(int protocol)
    {
        int raw = Libc.Socket(Libc.AF_NETLINK, Libc.SOCK_RAW | Libc.SOCK_CLOEXEC, protocol);
        if (raw < 0) throw KernelException.FromErrno($"open netlink socket (protocol {protocol})");
        var fd = new SafeFileDescriptor(Sockets.DescriptorRange.Raise(raw)); // one per sandbox: out of select's range
        try
        {
            int one = 1;
            // Extended acks give the kernel's reason in words; capped acks keep error replies small.
            // Strict checking makes the kernel honour dump filters. All are best effort on old kernels.
            Libc.SetSockOpt(fd, Libc.SOL_NETLINK, Libc.NETLINK_EXT_ACK, &one, sizeof(int));
            Libc.SetSockOpt(fd, Libc.SOL_NETLINK, Libc.NETLINK_CAP_ACK, &one, sizeof(int));
            Libc.SetSockOpt(fd, Libc.SOL_NETLINK, Libc.NETLINK_GET_STRICT_CHK, &one, sizeof(int));
            int bufferSize = 1 << 20;
            Libc.SetSockOpt(fd, Libc.SOL_SOCKET, Libc.SO_RCVBUF, &bufferSize, sizeof(int));

            var address = new SockAddrNetlink { Family = Libc.AF_NETLINK };
            if (Libc.Bind(fd, &address, sizeof(SockAddrNetlink)) != 0)
                throw KernelException.FromErrno("bind netlink socket");
            int length = sizeof(SockAddrNetlink);
            if (Libc.GetSockName(fd, &address, &length) != 0)
                throw KernelException.FromErrno("read netlink socket address");
            return new NetlinkSocket(fd, address.PortId, protocol == NetlinkRoute);
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Subscribes to a multicast group (the kernel's notifications, e.g. nf_tables' NFNLGRP_NFTABLES) and makes
    /// the receive queue large: notifications arrive in bursts (a ruleset of thousands of elements is thousands
    /// of messages) and a full queue loses them (<see cref="ReceiveStatus.Overrun"/>).
    /// </summary>
    public unsafe void JoinGroup(uint group, int receiveBuffer)
    {
        if (Libc.SetSockOpt(_fd, Libc.SOL_NETLINK, Libc.NETLINK_ADD_MEMBERSHIP, &group, sizeof(uint)) != 0)
            throw KernelException.FromErrno($"join netlink multicast group {group}");
        // SO_RCVBUFFORCE goes past net.core.rmem_max (root only); SO_RCVBUF is the fallback.
        if (Libc.SetSockOpt(_fd, Libc.SOL_SOCKET, Libc.SO_RCVBUFFORCE, &receiveBuffer, sizeof(int)) != 0)
            Libc.SetSockOpt(_fd, Libc.SOL_SOCKET, Libc.SO_RCVBUF, &receiveBuffer, sizeof(int));
    }

    /// <summary>How long <see cref="TryReceive"/> waits before it reports <see cref="ReceiveStatus.Timeout"/>.</summary>
    public unsafe void SetReceiveTimeout(TimeSpan timeout)
    {
        var tv = stackalloc long[2];
        tv[0] = (long)timeout.TotalSeconds;
        tv[1] = timeout.Microseconds + timeout.Milliseconds * 1000L;
        if (Libc.SetSockOpt(_fd, Libc.SOL_SOCKET, Libc.SO_RCVTIMEO, tv, 2 * sizeof(long)) != 0)
            throw KernelException.FromErrno("set the netlink socket's receive timeout");
    }

    /// <summary>
    /// Receives one datagram of notifications, from the kernel only. Unlike <see cref="Receive"/> a timeout and a
    /// lost notification (ENOBUFS: the queue overflowed) are outcomes, not errors: a listener carries on after both.
    /// With <paramref name="dontWait"/>, an empty queue is a <see cref="ReceiveStatus.Timeout"/> at once.
    /// </summary>
    public unsafe ReceiveStatus TryReceive(Span<byte> buffer, out int length, bool dontWait = false)
    {
        var from = default(SockAddrNetlink);
        length = 0;
        fixed (byte* p = buffer)
        {
            while (true)
            {
                int fromLength = sizeof(SockAddrNetlink);
                nint n = Libc.RecvFrom(_fd, p, (nuint)buffer.Length, Libc.MSG_TRUNC | (dontWait ? Libc.MSG_DONTWAIT : 0), &from, &fromLength);
                if (n >= 0)
                {
                    if (from.PortId != 0) continue; // only the kernel sends notifications
                    if (n > buffer.Length)
                        throw new NetlinkParseException($"a {n}-byte notification did not fit the {buffer.Length}-byte receive buffer");
                    length = (int)n;
                    return ReceiveStatus.Data;
                }
                int errno = Errno.Last;
                if (errno == Errno.EINTR) continue;
                if (errno == Errno.EAGAIN) return ReceiveStatus.Timeout;
                if (errno == Errno.ENOBUFS) return ReceiveStatus.Overrun;
                throw new KernelException("receive netlink notifications", errno);
            }
        }
    }

    /// <summary>Sends one datagram to the kernel; an rtnetlink one through <see cref="RtnlLane"/> when others overlap it.</summary>
    public void Send(ReadOnlySpan<byte> datagram)
    {
        if (_route) RtnlLane.Send(this, datagram);
        else SendDirect(datagram);
    }

    /// <summary>sendto(2) on the calling thread, whatever the protocol.</summary>
    internal unsafe void SendDirect(ReadOnlySpan<byte> datagram)
    {
        var kernel = new SockAddrNetlink { Family = Libc.AF_NETLINK };
        fixed (byte* p = datagram)
        {
            while (true)
            {
                nint n = Libc.SendTo(_fd, p, (nuint)datagram.Length, 0, &kernel, sizeof(SockAddrNetlink));
                if (n >= 0) return;
                int errno = Errno.Last;
                if (errno == Errno.EINTR) continue;
                throw new KernelException("send netlink request", errno);
            }
        }
    }

    /// <summary>
    /// Receives one datagram. Returns its length and the sender's port id (0 is the kernel). A datagram
    /// larger than the buffer is an error rather than a silent truncation.
    /// </summary>
    public unsafe int Receive(Span<byte> buffer, out uint senderPortId)
    {
        var from = default(SockAddrNetlink);
        int fromLength = sizeof(SockAddrNetlink);
        fixed (byte* p = buffer)
        {
            while (true)
            {
                nint n = Libc.RecvFrom(_fd, p, (nuint)buffer.Length, Libc.MSG_TRUNC, &from, &fromLength);
                if (n >= 0)
                {
                    if (n > buffer.Length)
                        throw new NetlinkParseException($"a {n}-byte reply did not fit the {buffer.Length}-byte receive buffer");
                    senderPortId = from.PortId;
                    return (int)n;
                }
                int errno = Errno.Last;
                if (errno == Errno.EINTR) continue;
                if (errno == Errno.ENOBUFS)
                    throw new KernelException("receive netlink reply: the socket's receive queue overflowed and replies were lost", errno);
                throw new KernelException("receive netlink reply", errno);
            }
        }
    }

    public void Dispose() => _fd.Dispose();
}

/// <summary>What <see cref="NetlinkSocket.TryReceive"/> got.</summary>
internal enum ReceiveStatus
{
    Data,

    /// <summary>Nothing arrived within the receive timeout.</summary>
    Timeout,

    /// <summary>The receive queue overflowed: notifications were lost, the ones after it still arrive.</summary>
    Overrun,
}
