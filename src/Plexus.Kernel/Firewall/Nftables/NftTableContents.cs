namespace Plexus.Kernel.Firewall.Nftables;

/// <summary>What a policy's main table holds now (from <c>nft -j -t list table</c>), for a full re-apply.</summary>
public sealed record NftTableContents(bool Exists, IReadOnlyList<string> Chains, IReadOnlyList<string> Sets, IReadOnlyList<string> Maps, bool UserChainHasRules)
{
    public static NftTableContents None { get; } = new(false, [], [], [], false);
}
