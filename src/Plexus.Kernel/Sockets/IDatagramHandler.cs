namespace Plexus.Kernel.Sockets;

/// <summary>Serves the datagrams of one <see cref="DatagramSocket"/>, on the reactor's thread.</summary>
public interface IDatagramHandler
{
    /// <summary>
    /// Handles one datagram from <paramref name="source"/>. Writes an immediate reply into
    /// <paramref name="reply"/> and returns its length, or returns 0 to send nothing now (the handler may
    /// answer later with <see cref="DatagramSocket.SendTo"/>). Must not block: it runs on the thread that
    /// serves every socket of the reactor.
    /// </summary>
    int OnDatagram(ReadOnlySpan<byte> datagram, Span<byte> reply, in DatagramPeer source);
}
