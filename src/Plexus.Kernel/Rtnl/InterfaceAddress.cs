using Plexus.Kernel.Types;

namespace Plexus.Kernel.Rtnl;

/// <summary>An address on an interface (RTM_NEWADDR).</summary>
public sealed record InterfaceAddress(int Index, IPPrefix Prefix, AddressFlags Flags = AddressFlags.None, RouteScope Scope = RouteScope.Universe, string? Label = null);
