using System.Net;

namespace Plexus.Engine.Ports;

public enum PortProtocol
{
    Tcp,
    Udp,
    Sctp,
}

/// <summary>One published port, concrete: host port chosen, one container port.</summary>
public sealed record PortBinding(PortProtocol Protocol, int ContainerPort, IPAddress? HostIP, int HostPort)
{
    public string ProtocolName => Protocol.ToString().ToLowerInvariant();

    /// <summary>"0.0.0.0:8080->80/tcp", as `docker ps` and `docker port` show it.</summary>
    public override string ToString() =>
        $"{(HostIP is null ? "0.0.0.0" : HostIP.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{HostIP}]" : HostIP.ToString())}:{HostPort}->{ContainerPort}/{ProtocolName}";
}
