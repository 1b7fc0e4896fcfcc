using System.Net.Sockets;

namespace Plexus.Engine.Dns;

/// <summary>DNS over TCP: every message is preceded by its length in two octets (RFC 1035 4.2.2).</summary>
internal static class TcpFraming
{
    /// <summary>Fills <paramref name="buffer"/>; false when the peer closed first.</summary>
    public static async ValueTask<bool> ReadExactlyAsync(Socket socket, Memory<byte> buffer, CancellationToken token)
    {
        int read = 0;
        while (read < buffer.Length)
        {
            int n = await socket.ReceiveAsync(buffer[read..], SocketFlags.None, token).ConfigureAwait(false);
            if (n == 0) return false;
            read += n;
        }
        return true;
    }
}
