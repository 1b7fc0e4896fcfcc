namespace Plexus.Kernel.Firewall.Nftables;

/// <summary>
/// A table a policy owns: a foreign batch that touches it is answered by a repair. <see cref="AdminChain"/>, if any,
/// is the admin's own chain in it: Plexus creates it and never flushes it, so rules added or deleted there are not
/// Plexus's business, and a full re-apply keeps it when it holds rules.
/// </summary>
public sealed record NftTable(string Family, string Name, string? AdminChain = null)
{
    /// <summary>The family's NFPROTO_* number, as notifications carry it.</summary>
    public byte FamilyNumber { get; } = NftFamily.Number(Family);

    public override string ToString() => $"{Family} {Name}";
}
