namespace Plexus.Kernel.Firewall.Nftables;

/// <summary>Another table's forward base chain with policy drop, and the Plexus accept rules already in it (handle, comment).</summary>
public sealed record ForeignChain(string Family, string Table, string Name, IReadOnlyList<(long Handle, string Comment)> PlexusRules);
