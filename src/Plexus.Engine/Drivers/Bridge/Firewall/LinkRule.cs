using System.Net;
using System.Net.Sockets;
using Plexus.Kernel.Firewall;

namespace Plexus.Engine.Drivers.Bridge.Firewall;

/// <summary>
/// A legacy link's hole in icc=false: <see cref="SourceIP"/> may reach <see cref="DestIP"/> on
/// <see cref="Port"/>/<see cref="Protocol"/>, and the destination may answer from that port (as Docker does).
/// </summary>
public sealed record LinkRule
{
    public LinkRule(string tag, string network, IPAddress sourceIP, IPAddress destIP, TransportProtocol protocol, int port)
    {
        Tag = FirewallNames.Tag(tag, "link");
        Network = FirewallNames.Tag(network, "network");
        SourceIP = FirewallNames.Address(sourceIP, "link source address");
        DestIP = FirewallNames.Address(destIP, "link destination address");
        if (SourceIP.AddressFamily != DestIP.AddressFamily)
            throw new ArgumentException($"link {sourceIP} -> {destIP}: both addresses must be of the same family", nameof(destIP));
        Protocol = protocol;
        _ = protocol.Name();
        Port = FirewallNames.Port(port, "link port");
    }

    /// <summary>The link's owner (the linking endpoint's id); the set element carries "link=TAG".</summary>
    public string Tag { get; }

    /// <summary>The network (its <see cref="BridgeRules.Tag"/>) both containers are on.</summary>
    public string Network { get; }

    public IPAddress SourceIP { get; }

    public IPAddress DestIP { get; }

    public TransportProtocol Protocol { get; }

    public int Port { get; }

    public bool IsIPv6 => SourceIP.AddressFamily == AddressFamily.InterNetworkV6;

    /// <summary>The allowed flow; two links with the same flow are one rule.</summary>
    internal (IPAddress Source, IPAddress Dest, TransportProtocol Protocol, int Port) Flow => (SourceIP, DestIP, Protocol, Port);

    public override string ToString() => $"link {SourceIP} -> {DestIP} {Port}/{Protocol.Name()}";
}
