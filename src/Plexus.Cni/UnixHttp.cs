using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Plexus.Cni;

/// <summary>
/// One HTTP/1.1 POST to plexusd over its Unix socket with libc's socket, connect, write and read, and the answer
/// read to the end (the request says "Connection: close"). The plugin is exec'd once per operation, so its start
/// is most of its cost: System.Net.Sockets starts its epoll thread on the first socket, and async code starts
/// the thread pool; on a loaded machine the process waits for those threads to be scheduled. This path starts
/// no thread at all.
/// </summary>
internal static partial class UnixHttp
{
    private const int AfUnix = 1, SockStream = 1, SockCloexec = 0x80000, SolSocket = 1, SoRcvTimeo = 20, SoSndTimeo = 21;
    private const int Eintr = 4, Eacces = 13, Eperm = 1;
    private const int MaxAnswerBytes = 16 * 1024 * 1024;

    /// <summary>The answer's status and body (de-chunked).</summary>
    public readonly record struct Answer(int Status, byte[] Body)
    {
        public bool IsSuccess => Status is >= 200 and < 300;
    }

    /// <summary>Connection failures are <see cref="UnreachableException"/>; <paramref name="timeout"/> bounds each send and receive.</summary>
    public static unsafe Answer Post(string socketPath, string target, byte[] body, TimeSpan timeout)
    {
        int fd = Socket(AfUnix, SockStream | SockCloexec, 0);
        if (fd < 0) throw new UnreachableException($"socket: {Error(Marshal.GetLastPInvokeError())}", denied: false);
        try
        {
            var tv = stackalloc long[2] { (long)timeout.TotalSeconds, 0 };
            _ = SetSockOpt(fd, SolSocket, SoRcvTimeo, tv, 16);
            _ = SetSockOpt(fd, SolSocket, SoSndTimeo, tv, 16);
            Connect(fd, socketPath);
            var head = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture,
                $"POST {target} HTTP/1.1\r\nHost: plexus\r\nUser-Agent: plexus-cni\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n"));
            WriteAll(fd, head);
            WriteAll(fd, body);
            return Parse(ReadAll(fd));
        }
        finally
        {
            _ = Close(fd);
        }
    }

    private static unsafe void Connect(int fd, string path)
    {
        var bytes = Encoding.UTF8.GetBytes(path);
        if (bytes.Length >= 108) throw new UnreachableException($"the socket path {path} is longer than a Unix socket address takes", denied: false);
        var address = stackalloc byte[110];
        new Span<byte>(address, 110).Clear();
        *(ushort*)address = AfUnix;
        bytes.CopyTo(new Span<byte>(address + 2, 108));
        while (ConnectNative(fd, address, (uint)(2 + bytes.Length + 1)) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == Eintr) continue;
            throw new UnreachableException(Error(errno), denied: errno is Eacces or Eperm);
        }
    }

    private static unsafe void WriteAll(int fd, byte[] data)
    {
        fixed (byte* p = data)
        {
            int done = 0;
            while (done < data.Length)
            {
                nint n = Write(fd, p + done, data.Length - done);
                if (n < 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    if (errno == Eintr) continue;
                    throw new IOException($"write: {Error(errno)}");
                }
                done += (int)n;
            }
        }
    }

    private static unsafe byte[] ReadAll(int fd)
    {
        var buffer = new byte[16 * 1024];
        int filled = 0;
        while (true)
        {
            if (filled == buffer.Length)
            {
                if (buffer.Length >= MaxAnswerBytes) throw new IOException("the answer is too large to be plexusd's");
                Array.Resize(ref buffer, buffer.Length * 2);
            }
            nint n;
            fixed (byte* p = buffer) n = Read(fd, p + filled, buffer.Length - filled);
            if (n < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno == Eintr) continue;
                throw new IOException($"read: {Error(errno)}");
            }
            if (n == 0) return buffer.AsSpan(0, filled).ToArray();
            filled += (int)n;
        }
    }

    /// <summary>The status line, the headers plexusd sends (Content-Length or chunked), the body.</summary>
    internal static Answer Parse(ReadOnlySpan<byte> answer)
    {
        int headEnd = answer.IndexOf("\r\n\r\n"u8);
        if (headEnd < 0) throw new IOException(answer.Length == 0 ? "the daemon closed the connection without answering" : "the answer ended inside its headers");
        var lines = Encoding.ASCII.GetString(answer[..headEnd]).Split("\r\n");
        var status = lines[0].Split(' ', 3);
        if (status.Length < 2 || !status[0].StartsWith("HTTP/1.", StringComparison.Ordinal)
            || !int.TryParse(status[1], NumberStyles.None, CultureInfo.InvariantCulture, out int code))
            throw new IOException($"the answer is not HTTP: {lines[0]}");
        bool chunked = false;
        int? length = null;
        foreach (var line in lines.AsSpan(1))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0) continue;
            var name = line.AsSpan(0, colon).Trim();
            var value = line.AsSpan(colon + 1).Trim();
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int l))
                length = l;
            else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) && value.Contains("chunked", StringComparison.OrdinalIgnoreCase))
                chunked = true;
        }
        var rest = answer[(headEnd + 4)..];
        if (chunked) return new Answer(code, Dechunk(rest));
        if (length is { } size)
            return size <= rest.Length ? new Answer(code, rest[..size].ToArray()) : throw new IOException("the answer ended inside its body");
        return new Answer(code, rest.ToArray());
    }

    private static byte[] Dechunk(ReadOnlySpan<byte> data)
    {
        var body = new List<byte>(data.Length);
        while (true)
        {
            int lineEnd = data.IndexOf("\r\n"u8);
            if (lineEnd < 0) throw new IOException("the answer ended inside a chunk's size");
            var sizeText = Encoding.ASCII.GetString(data[..lineEnd]).Split(';')[0].Trim();
            if (!int.TryParse(sizeText, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int size) || size < 0)
                throw new IOException($"the answer's chunk size '{sizeText}' is not a number");
            data = data[(lineEnd + 2)..];
            if (size == 0) return [.. body];
            if (data.Length < size + 2) throw new IOException("the answer ended inside a chunk");
            body.AddRange(data[..size]);
            data = data[(size + 2)..];
        }
    }

    private static string Error(int errno) => Marshal.GetPInvokeErrorMessage(errno);

    /// <summary>The socket could not be reached (connect failed): nothing was sent.</summary>
    internal sealed class UnreachableException(string message, bool denied) : Exception(message)
    {
        public bool Denied { get; } = denied;
    }

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static partial int Socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "connect", SetLastError = true)]
    private static unsafe partial int ConnectNative(int fd, byte* address, uint length);

    [LibraryImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    private static unsafe partial int SetSockOpt(int fd, int level, int name, void* value, uint length);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static unsafe partial nint Write(int fd, byte* data, nint count);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static unsafe partial nint Read(int fd, byte* data, nint count);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
