using System.Net;
using System.Net.Sockets;
using Plexus.Kernel.Firewall;

namespace Plexus.Engine.Drivers.Bridge.Firewall;

/// <summary>
/// One published port: traffic to <see cref="HostIP"/> (or any host address) on <see cref="HostPort"/> goes to
/// <see cref="ContainerIP"/>:<see cref="ContainerPort"/>. Port ranges are published as one mapping per port.
/// Allocation (host port 0, conflicts) is the engine's; the firewall gets concrete mappings.
/// </summary>
public sealed record PortMapping
{
    public PortMapping(string tag, string network, TransportProtocol protocol, IPAddress? hostIP, int hostPort, IPAddress containerIP, int containerPort)
    {
        Tag = FirewallNames.Tag(tag, "endpoint");
        Network = FirewallNames.Tag(network, "network");
        Protocol = protocol;
        _ = protocol.Name();
        ContainerIP = FirewallNames.Address(containerIP, $"port mapping {hostPort}/{protocol.Name()}: container address");
        // 0.0.0.0 and :: mean what Docker means by them: every host address of that family.
        HostIP = hostIP is null || hostIP.Equals(IPAddress.Any) || hostIP.Equals(IPAddress.IPv6Any) ? null
            : FirewallNames.Address(hostIP, $"port mapping {hostPort}/{protocol.Name()}: host address");
        if (HostIP is not null && HostIP.AddressFamily != ContainerIP.AddressFamily)
            throw new ArgumentException(
                $"port mapping {hostIP}:{hostPort}/{protocol.Name()} -> {containerIP}: host and container addresses must be of the same family", nameof(hostIP));
        HostPort = FirewallNames.Port(hostPort, "host port");
        ContainerPort = FirewallNames.Port(containerPort, "container port");
    }

    /// <summary>The endpoint's id; the DNAT element carries "ep=TAG".</summary>
    public string Tag { get; }

    /// <summary>The network (its <see cref="BridgeRules.Tag"/>) the container address belongs to.</summary>
    public string Network { get; }

    public TransportProtocol Protocol { get; }

    /// <summary>The host address the port is bound to; null for every host address of the container address's family.</summary>
    public IPAddress? HostIP { get; }

    public int HostPort { get; }

    public IPAddress ContainerIP { get; }

    public int ContainerPort { get; }

    public bool IsIPv6 => ContainerIP.AddressFamily == AddressFamily.InterNetworkV6;

    /// <summary>What the host side claims: two mappings with the same binding cannot coexist.</summary>
    internal (bool IPv6, IPAddress? HostIP, TransportProtocol Protocol, int HostPort) Binding => (IsIPv6, HostIP, Protocol, HostPort);

    /// <summary>"8080/tcp", "10.0.0.1:8080/tcp", "[2001:db8::1]:8080/tcp": the host side as Docker names it.</summary>
    public string HostBinding => HostIP switch
    {
        null => $"{HostPort}/{Protocol.Name()}",
        { AddressFamily: AddressFamily.InterNetworkV6 } => $"[{HostIP}]:{HostPort}/{Protocol.Name()}",
        _ => $"{HostIP}:{HostPort}/{Protocol.Name()}",
    };

    /// <summary>Docker's notation: [hostIP:]hostPort:containerIP:containerPort/proto.</summary>
    public override string ToString()
    {
        var host = HostIP is null ? $"{HostPort}" : IsIPv6 ? $"[{HostIP}]:{HostPort}" : $"{HostIP}:{HostPort}";
        var container = IsIPv6 ? $"[{ContainerIP}]" : ContainerIP.ToString();
        return $"{host}:{container}:{ContainerPort}/{Protocol.Name()}";
    }
}
