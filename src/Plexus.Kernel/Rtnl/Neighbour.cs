using System.Net;
using Plexus.Kernel.Types;

namespace Plexus.Kernel.Rtnl;

public enum NeighbourFamily : byte
{
    IPv4 = AddressFamily.Inet,
    IPv6 = AddressFamily.Inet6,

    /// <summary>A bridge or VXLAN forwarding-database entry (`bridge fdb`).</summary>
    Bridge = AddressFamily.Bridge,
}

/// <summary>
/// A neighbour entry: an ARP/NDP entry (IP to MAC) or a forwarding-database entry (MAC to port or,
/// on a VXLAN device, MAC to remote tunnel end in <see cref="Destination"/>).
/// </summary>
public sealed record Neighbour
{
    public required NeighbourFamily Family { get; init; }
    public required int Index { get; init; }
    public IPAddress? Destination { get; init; }
    public MacAddress? Mac { get; init; }
    public NeighbourState State { get; init; } = NeighbourState.Permanent;
    public NeighbourFlags Flags { get; init; }
    public uint? Vni { get; init; }
    public int? MasterIndex { get; init; }
    public ushort? Vlan { get; init; }

    public override string ToString() => Family == NeighbourFamily.Bridge
        ? $"fdb {Mac}{(Destination is null ? "" : $" dst {Destination}")}"
        : $"neighbour {Destination} lladdr {Mac}";
}
