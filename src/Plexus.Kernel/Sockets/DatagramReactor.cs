using System.Collections.Concurrent;
using System.Net;
using Plexus.Kernel.Interop;
using Plexus.Kernel.Namespaces;

namespace Plexus.Kernel.Sockets;

/// <summary>
/// One thread serving many UDP sockets through epoll, each socket opened in a namespace of its own: a
/// datagram is read, handled and answered on this thread, with no hand-over to a thread pool on the way
/// (that hand-over, a thread wake-up, would cost more than the work). Level-triggered, at most
/// <see cref="Budget"/> datagrams per socket per turn, so one busy socket cannot starve the others.
/// </summary>
public sealed class DatagramReactor : IDisposable
{
    internal const int MSG_DONTWAIT = 0x40;

    /// <summary>Datagrams read from one socket before the others get their turn.</summary>
    public const int Budget = 64;

    private const int MaxEvents = 64;
    private const int WaitMs = 250;

    private readonly SafeFileDescriptor _epoll;
    private readonly ConcurrentDictionary<int, DatagramSocket> _sockets = new();
    private readonly Thread _thread;
    private volatile bool _stopping;
    private int _nextId;

    public DatagramReactor(string name)
    {
        int fd = Libc.EpollCreate1(Libc.EPOLL_CLOEXEC);
        if (fd < 0) throw KernelException.FromErrno("epoll_create1");
        _epoll = new SafeFileDescriptor(fd);
        _thread = new Thread(Run) { IsBackground = true, Name = name };
        _thread.Start();
    }

    /// <summary>Sockets being served.</summary>
    public int Count => _sockets.Count;

    /// <summary>Opens a UDP socket bound to <paramref name="endpoint"/> inside <paramref name="ns"/> and serves it with <paramref name="handler"/>.</summary>
    public unsafe DatagramSocket Bind(NetworkNamespace ns, IPEndPoint endpoint, IDatagramHandler handler)
    {
        ArgumentNullException.ThrowIfNull(ns);
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(handler);
        if (endpoint.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
            throw new ArgumentException($"{endpoint}: only IPv4 endpoints are served", nameof(endpoint));
        ObjectDisposedException.ThrowIf(_stopping, this);
        var fd = DatagramSocket.Open(ns, endpoint);
        var socket = new DatagramSocket(this, fd, handler, Interlocked.Increment(ref _nextId));
        _sockets[socket.Id] = socket;
        var ev = new Libc.EpollEvent { Events = Libc.EPOLLIN, Data = (ulong)socket.Id };
        if (Libc.EpollCtl(_epoll, Libc.EPOLL_CTL_ADD, fd, &ev) < 0)
        {
            var e = KernelException.FromErrno($"epoll_ctl add {endpoint}");
            _sockets.TryRemove(socket.Id, out _);
            fd.Dispose();
            throw e;
        }
        return socket;
    }

    internal unsafe void Remove(DatagramSocket socket)
    {
        if (!_sockets.TryRemove(socket.Id, out _)) return;
        if (!_epoll.IsClosed) Libc.EpollCtl(_epoll, Libc.EPOLL_CTL_DEL, socket.Fd, null);
        socket.Fd.Dispose(); // closed now, or when the reactor releases it after the datagram in hand
    }

    private unsafe void Run()
    {
        var events = new Libc.EpollEvent[MaxEvents];
        var datagram = GC.AllocateUninitializedArray<byte>(ushort.MaxValue, pinned: true);
        var reply = GC.AllocateUninitializedArray<byte>(ushort.MaxValue, pinned: true);
        byte* peer = stackalloc byte[DatagramPeer.Length];
        while (!_stopping)
        {
            int n;
            fixed (Libc.EpollEvent* e = events)
                n = Libc.EpollWait(_epoll, e, MaxEvents, WaitMs);
            if (n < 0)
            {
                if (Errno.Last == Errno.EINTR) continue;
                return; // the epoll descriptor is gone: disposed
            }
            for (int i = 0; i < n; i++)
            {
                if (_sockets.TryGetValue((int)events[i].Data, out var socket)) Drain(socket, datagram, reply, peer);
            }
        }
    }

    private static unsafe void Drain(DatagramSocket socket, byte[] datagram, byte[] reply, byte* peer)
    {
        bool added = false;
        try
        {
            socket.Fd.DangerousAddRef(ref added);
            fixed (byte* d = datagram)
            fixed (byte* r = reply)
            {
                for (int k = 0; k < Budget; k++)
                {
                    int peerLength = DatagramPeer.Length;
                    nint length = Libc.RecvFrom(socket.Fd, d, (nuint)datagram.Length, MSG_DONTWAIT, peer, &peerLength);
                    if (length < 0)
                    {
                        int errno = Errno.Last;
                        if (errno == Errno.EAGAIN || errno == Errno.EBADF) return;
                        continue; // e.g. ECONNREFUSED: an ICMP error for an earlier reply
                    }
                    var source = new DatagramPeer(new ReadOnlySpan<byte>(peer, DatagramPeer.Length));
                    int answer;
                    try
                    {
                        answer = socket.Handler.OnDatagram(datagram.AsSpan(0, (int)length), reply, source);
                    }
                    catch (Exception) when (!System.Diagnostics.Debugger.IsAttached)
                    {
                        continue; // a handler bug must not take every other socket down with this thread
                    }
                    if (answer > 0) Libc.SendTo(socket.Fd, r, (nuint)answer, MSG_DONTWAIT, peer, DatagramPeer.Length);
                }
            }
        }
        catch (ObjectDisposedException)
        {
        }
        finally
        {
            if (added) socket.Fd.DangerousRelease();
        }
    }

    public void Dispose()
    {
        _stopping = true;
        foreach (var socket in _sockets.Values) Remove(socket);
        if (Thread.CurrentThread != _thread) _thread.Join(WaitMs * 4);
        _epoll.Dispose();
    }
}
