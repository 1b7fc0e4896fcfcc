using Plexus.Api;
using System.Net.Sockets;
using Plexus.Engine.Model;

namespace Plexus.Daemon.Hosting;

/// <summary>Before listening: a stale socket (nobody answers) is removed; a live one means another daemon.</summary>
internal static class UnixSocketGuard
{
    public static void Prepare(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (!File.Exists(path)) return;
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
        }
        catch (SocketException)
        {
            File.Delete(path); // stale: left by a daemon that died
            return;
        }
        throw PlexusException.Conflict($"another plexusd is already listening on {path}; stop it first or choose another socket with -H");
    }

    /// <summary>Tells systemd (Type=notify) that the daemon is ready, if systemd asked.</summary>
    public static void NotifySystemd(string state)
    {
        var target = Environment.GetEnvironmentVariable("NOTIFY_SOCKET");
        if (string.IsNullOrEmpty(target)) return;
        if (target[0] == '@') target = "\0" + target[1..];
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.SendTo(System.Text.Encoding.UTF8.GetBytes(state), new UnixDomainSocketEndPoint(target));
    }
}
