using System.Buffers.Binary;

namespace Plexus.Kernel.Netlink;

/// <summary>
/// Request/reply over one netlink socket: sends a request and reads until its acknowledgement or the end
/// of its dump, checking that every reply comes from the kernel and carries the request's sequence number.
/// Thread-safe: requests on one connection are serialised; open more connections for parallelism.
/// </summary>
public sealed class NetlinkConnection : IDisposable
{
    /// <summary>How often a dump the kernel marks interrupted (NLM_F_DUMP_INTR) is started again.</summary>
    public const int DumpRetries = 10;

    private const int NlmsgerrAttrMsg = 1;
    private const int NlmsgerrAttrOffset = 2;

    private readonly NetlinkSocket _socket;
    private readonly NetlinkWriter _writer = new();
    /// <summary>
    /// Rented for the length of one request, so a daemon holding a connection per sandbox does not keep a
    /// receive buffer per sandbox. 64 KiB holds any rtnetlink datagram (the kernel's dump skbs are smaller).
    /// </summary>
    private const int ReceiveBufferSize = 64 * 1024;
    private byte[] _receiveBuffer = [];
    private readonly Lock _lock = new();
    private uint _sequence = (uint)Environment.TickCount;
    private bool _disposed;

    /// <summary>Threads inside or waiting for this connection's lock (see <see cref="InUse"/>).</summary>
    private int _users;

    private NetlinkConnection(NetlinkSocket socket) => _socket = socket;

    /// <summary>Whether some thread is using the connection or waiting for it: RtNetlink takes a free one first.</summary>
    internal bool InUse => Volatile.Read(ref _users) != 0;

    /// <summary>Takes the connection's lock, counted in <see cref="InUse"/> from before the wait to the release.</summary>
    private Scope Enter()
    {
        Interlocked.Increment(ref _users);
        try
        {
            return new Scope(this, _lock.EnterScope());
        }
        catch
        {
            Interlocked.Decrement(ref _users);
            throw;
        }
    }

    private readonly ref struct Scope
    {
        private readonly NetlinkConnection _owner;
        private readonly Lock.Scope _held;

        public Scope(NetlinkConnection owner, Lock.Scope held)
        {
            _owner = owner;
            _held = held;
        }

        public void Dispose()
        {
            _held.Dispose();
            Interlocked.Decrement(ref _owner._users);
        }
    }

    /// <summary>Opens a connection in the calling thread's network namespace.</summary>
    public static NetlinkConnection Open(int protocol) => new(NetlinkSocket.Open(protocol));

    public uint PortId => _socket.PortId;

    /// <summary>Sends one request and waits for the kernel's acknowledgement.</summary>
    /// <param name="operation">What the request does, for the error message ("add address 10.0.0.1/24 to 'br0'").</param>
    /// <param name="build">Writes the family header and attributes after the netlink header.</param>
    public void Execute<TState>(string operation, ushort type, NetlinkFlags flags, TState state, NetlinkBuild<TState> build) =>
        Request<TState, bool>(operation, type, flags, state, build, decode: null);

    /// <summary>
    /// Sends a request with NLM_F_ECHO and waits for its acknowledgement; returns the first message the kernel
    /// echoed back that <paramref name="decode"/> accepts (a created link, with the index it was given), or
    /// default when the kernel echoed nothing (kernels before 6.3 ignore the flag on some requests).
    /// </summary>
    public T? ExecuteEcho<TState, T>(string operation, ushort type, NetlinkFlags flags, TState state, NetlinkBuild<TState> build,
        NetlinkDecode<T> decode) =>
        Request(operation, type, flags | NetlinkFlags.Echo, state, build, decode);

    /// <summary>One request, acknowledged: what <see cref="Execute"/> and <see cref="ExecuteEcho"/> share.</summary>
    private T? Request<TState, T>(string operation, ushort type, NetlinkFlags flags, TState state, NetlinkBuild<TState> build, NetlinkDecode<T>? decode)
    {
        using (Enter())
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            uint seq = Write(type, flags | NetlinkFlags.Request | NetlinkFlags.Ack, state, build);
            _socket.Send(_writer.WrittenSpan);
            Rent();
            try
            {
                return ReadUntilAck(operation, seq, decode);
            }
            finally
            {
                Return();
            }
        }
    }

    /// <summary>
    /// Sends several requests in one datagram and waits for the kernel to have run them all: one system call and
    /// one wake-up instead of one per request. The kernel runs them in order, each on its own (a failed one does
    /// not stop the next). Only the last asks for an acknowledgement: the kernel reports a failed request whether
    /// asked or not, and runs and answers in order, so once the last is acknowledged every earlier failure has
    /// been read, and a batch that succeeds costs one answer to make and read instead of one per request.
    /// Returns the position of the first request that failed, with its error, or -1.
    /// </summary>
    public int ExecuteBatch(IReadOnlyList<NetlinkRequest> requests, out NetlinkException? error)
    {
        ArgumentNullException.ThrowIfNull(requests);
        error = null;
        if (requests.Count == 0) return -1;
        using (Enter())
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _writer.Reset();
            uint first = unchecked(_sequence + 1);
            for (int i = 0; i < requests.Count; i++)
            {
                var request = requests[i];
                var ack = i == requests.Count - 1 ? NetlinkFlags.Ack : NetlinkFlags.None;
                _writer.BeginMessage(request.Type, request.Flags | NetlinkFlags.Request | ack);
                request.Build(_writer);
                _writer.EndMessage(unchecked(++_sequence));
            }
            _socket.Send(_writer.WrittenSpan);
            Rent();
            try
            {
                return ReadBatchAcks(requests, first, out error);
            }
            finally
            {
                Return();
            }
        }
    }

    private int ReadBatchAcks(IReadOnlyList<NetlinkRequest> requests, uint first, out NetlinkException? error)
    {
        error = null;
        int failed = -1, last = requests.Count - 1;
        bool done = false;
        while (!done)
        {
            int n = ReceiveFromKernel();
            foreach (var message in new NetlinkMessageReader(_receiveBuffer.AsSpan(0, n)))
            {
                int i = unchecked((int)(message.Header.Sequence - first));
                if (message.Header.Type != NetlinkMessageType.Error || i < 0 || i > last) continue;
                done |= i == last;
                int errno = ReadError(message, out var text, out var offset);
                if (errno == 0 || errno == requests[i].Tolerated || (failed >= 0 && failed < i)) continue;
                failed = i;
                error = new NetlinkException(requests[i].Operation, errno, text, offset);
            }
        }
        return failed;
    }

    /// <summary>
    /// Sends a request that the kernel answers with one message (a GET of one object) and decodes it.
    /// Returns default when the kernel reports <paramref name="notFoundErrno"/>.
    /// </summary>
    public T? Get<TState, T>(string operation, ushort type, TState state, NetlinkBuild<TState> build,
        NetlinkDecode<T> decode, int notFoundErrno)
    {
        using (Enter())
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            uint seq = Write(type, NetlinkFlags.Request, state, build);
            _socket.Send(_writer.WrittenSpan);
            Rent();
            try
            {
                return ReadOne(operation, seq, decode, notFoundErrno);
            }
            finally
            {
                Return();
            }
        }
    }

    private T? ReadOne<T>(string operation, uint seq, NetlinkDecode<T> decode, int notFoundErrno)
    {
        T? result = default;
        bool found = false;
        while (true)
        {
            int n = ReceiveFromKernel();
            foreach (var message in new NetlinkMessageReader(_receiveBuffer.AsSpan(0, n)))
            {
                if (message.Header.Sequence != seq) continue; // stale reply of an earlier, abandoned request
                if (message.Header.Type == NetlinkMessageType.Error)
                {
                    int errno = ReadError(message, out var text, out var offset);
                    if (errno == 0) return result;
                    if (errno == notFoundErrno) return default;
                    throw new NetlinkException(operation, errno, text, offset);
                }
                if (message.Header.Type == NetlinkMessageType.Done) return result;
                if (!found && decode(message, out var value))
                {
                    result = value;
                    found = true;
                }
                if ((message.Header.Flags & NetlinkFlags.Multi) == 0) return result;
            }
        }
    }

    /// <summary>
    /// Runs a dump to its end and decodes every message; starts again when the kernel marks the dump
    /// interrupted (the object set changed while it was read), up to <see cref="DumpRetries"/> times.
    /// </summary>
    public List<T> Dump<TState, T>(string operation, ushort type, TState state, NetlinkBuild<TState> build, NetlinkDecode<T> decode)
    {
        using (Enter())
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            for (int attempt = 0; ; attempt++)
            {
                uint seq = Write(type, NetlinkFlags.Request | NetlinkFlags.Dump, state, build);
                _socket.Send(_writer.WrittenSpan);
                var results = new List<T>();
                bool interrupted;
                Rent();
                try
                {
                    interrupted = ReadDump(operation, seq, results, decode);
                }
                finally
                {
                    Return();
                }
                if (!interrupted) return results;
                if (attempt + 1 >= DumpRetries)
                    throw new KernelException($"{operation}: the kernel interrupted the dump {DumpRetries} times in a row (objects kept changing)");
            }
        }
    }

    private bool ReadDump<T>(string operation, uint seq, List<T> results, NetlinkDecode<T> decode)
    {
        bool interrupted = false;
        while (true)
        {
            int n = ReceiveFromKernel();
            foreach (var message in new NetlinkMessageReader(_receiveBuffer.AsSpan(0, n)))
            {
                if (message.Header.Sequence != seq) continue;
                if ((message.Header.Flags & NetlinkFlags.DumpInterrupted) != 0) interrupted = true;
                switch (message.Header.Type)
                {
                    case NetlinkMessageType.Done:
                        int doneErrno = message.Payload.Length >= 4 ? -BinaryPrimitives.ReadInt32LittleEndian(message.Payload) : 0;
                        if (doneErrno != 0) throw new NetlinkException(operation, doneErrno, null);
                        return interrupted;
                    case NetlinkMessageType.Error:
                        int errno = ReadError(message, out var text, out var offset);
                        if (errno == 0) return interrupted;
                        throw new NetlinkException(operation, errno, text, offset);
                    case NetlinkMessageType.Noop:
                        continue;
                    case NetlinkMessageType.Overrun:
                        throw new KernelException($"{operation}: the kernel reported a netlink overrun (replies lost)");
                }
                if (decode(message, out var value)) results.Add(value);
            }
        }
    }

    /// <summary>
    /// Reads the replies to request <paramref name="seq"/> until its acknowledgement (throwing its error); returns
    /// the first other reply <paramref name="decode"/> accepts (an echo), or default without one.
    /// </summary>
    private T? ReadUntilAck<T>(string operation, uint seq, NetlinkDecode<T>? decode)
    {
        T? result = default;
        bool found = decode is null;
        while (true)
        {
            int n = ReceiveFromKernel();
            foreach (var message in new NetlinkMessageReader(_receiveBuffer.AsSpan(0, n)))
            {
                if (message.Header.Sequence != seq) continue;
                if (message.Header.Type == NetlinkMessageType.Error)
                {
                    int errno = ReadError(message, out var text, out var offset);
                    if (errno != 0) throw new NetlinkException(operation, errno, text, offset);
                    return result;
                }
                if (!found && decode!(message, out var value))
                {
                    result = value;
                    found = true;
                }
            }
        }
    }

    private int ReceiveFromKernel()
    {
        while (true)
        {
            int n = _socket.Receive(_receiveBuffer, out uint sender);
            // Only the kernel (port 0) may answer; anything else is some process writing to our port.
            if (sender == 0) return n;
        }
    }

    private void Rent() => _receiveBuffer = System.Buffers.ArrayPool<byte>.Shared.Rent(ReceiveBufferSize);

    private void Return()
    {
        System.Buffers.ArrayPool<byte>.Shared.Return(_receiveBuffer);
        _receiveBuffer = [];
    }

    private uint Write<TState>(ushort type, NetlinkFlags flags, TState state, NetlinkBuild<TState> build)
    {
        _writer.Reset();
        _writer.BeginMessage(type, flags);
        build(_writer, state);
        return _writer.EndMessage(unchecked(++_sequence));
    }

    /// <summary>
    /// Reads struct nlmsgerr: a negative errno (0 for an ack), the echoed request header (capped acks),
    /// then, if NLM_F_ACK_TLVS is set, the extended-ack attributes.
    /// </summary>
    internal static int ReadError(NetlinkMessage message, out string? text, out int? offset)
    {
        text = null;
        offset = null;
        var payload = message.Payload;
        if (payload.Length < 4)
            throw new NetlinkParseException($"an error message of {payload.Length} bytes is shorter than its 4-byte code");
        int errno = -BinaryPrimitives.ReadInt32LittleEndian(payload);
        if ((message.Header.Flags & NetlinkFlags.AckTlvs) == 0) return errno;
        int skip = 4 + NetlinkHeader.Size;
        if ((message.Header.Flags & NetlinkFlags.Capped) == 0 && payload.Length >= skip)
        {
            // Uncapped: the whole original request is echoed; its length is in the echoed header. A length
            // that runs past the reply leaves no attributes (and must not turn negative as an int).
            uint echoed = NetlinkHeader.Read(payload[4..]).Length;
            skip = echoed >= (uint)(payload.Length - 4) ? payload.Length : 4 + NetlinkAttributeReader.Align((int)echoed);
        }
        if (payload.Length <= skip) return errno;
        foreach (var attribute in new NetlinkAttributeReader(payload[skip..]))
        {
            if (attribute.Type == NlmsgerrAttrMsg) text = attribute.AsString().TrimEnd();
            else if (attribute.Type == NlmsgerrAttrOffset) offset = attribute.AsInt32();
        }
        return errno;
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            _socket.Dispose();
        }
    }
}

/// <summary>Writes a request's family header and attributes.</summary>
public delegate void NetlinkBuild<in TState>(NetlinkWriter writer, TState state);

/// <summary>Decodes one reply message; returns false to skip it (a filtered-out object).</summary>
public delegate bool NetlinkDecode<T>(NetlinkMessage message, out T value);

/// <summary>
/// One request of a batch (<see cref="NetlinkConnection.ExecuteBatch"/>): what it does, for the error message,
/// how to write it, and an errno that counts as success (ENODEV for "delete if present"), or 0.
/// </summary>
public sealed record NetlinkRequest(string Operation, ushort Type, NetlinkFlags Flags, Action<NetlinkWriter> Build, int Tolerated = 0);
