using System.Collections.Immutable;
using System.Text;
using Plexus.Kernel.Firewall;
using Plexus.Kernel.Firewall.Iptables;
using Plexus.Kernel.Firewall.Nftables;

namespace Plexus.Kernel.Tests.Unit.Firewall;

/// <summary>
/// The smallest policy the firewall mechanism can hold, for testing the mechanism apart from any driver's rules: the
/// state is a set of tags, in nftables the elements of one set in table <c>inet plexus_test</c> (always incremental),
/// in iptables one RETURN rule per tag in a chain nothing jumps to.
/// </summary>
internal sealed class TagSetPolicy : IFirewallPolicy<TagSet, TagChange>, INftablesPolicy<TagSet, TagChange>, IIptablesPolicy<TagSet, TagChange>
{
    public const string Table = "plexus_test";

    public static TagSetPolicy Instance { get; } = new();

    public TagSet Empty => TagSet.Empty;

    public TagChange Edit(TagSet before) => new(before);

    public IEnumerable<FirewallSysctl> Sysctls(TagSet state) => [];

    public IEnumerable<FirewallSysctl> Sysctls(TagChange change) => [];

    public INftablesPolicy<TagSet, TagChange> Nftables => this;

    public IIptablesPolicy<TagSet, TagChange> Iptables => this;

    public IReadOnlyList<NftTable> Tables { get; } = [new("inet", Table, "admin")];

    public string? ForeignRulePrefix => null;

    public IReadOnlyList<NftElementChange>? Elements(TagChange change) =>
        [.. change.Removed.Select(t => Element(t, add: false)), .. change.Added.Select(t => Element(t, add: true))];

    public string Changes(TagChange change, Func<IReadOnlyList<ForeignChain>> foreignDropChains) =>
        string.Concat(change.Removed.Select(t => $"delete element inet {Table} tags {{ \"{t}\" }}\n"))
        + string.Concat(change.Added.Select(t => $"add element inet {Table} tags {{ \"{t}\" comment \"tag={t}\" }}\n"));

    public string ReplaceAll(TagSet next, NftTableContents present, IReadOnlyList<ForeignChain> foreignDropChains)
    {
        if (next.IsEmpty) return present.Exists ? $"delete table inet {Table}\n" : "";
        var elements = string.Join(", ", next.Tags.Select(t => $"\"{t}\" comment \"tag={t}\""));
        return $"add table inet {Table}\ndelete table inet {Table}\ntable inet {Table} {{\n\tset tags {{\n\t\ttype ifname\n\t\telements = {{ {elements} }}\n\t}}\n\tchain admin {{\n\t}}\n}}\n";
    }

    public IptablesRuleset Render(TagSet state, bool ipv6, bool keepUserChain = false)
    {
        var r = new IptablesRuleset(ipv6);
        if (!state.IsEmpty)
        {
            r.Add(new IptablesChain("filter", "PLEXUS-TAGS", IptablesChainKind.Incremental,
                [.. state.Tags.Select(t => $"{IptablesScript.Comment($"tag={t}")} -j RETURN")]));
        }
        return r;
    }

    public IReadOnlyList<NftTable> NftablesTables => [];

    public string NftablesMissing => "";

    public IReadOnlyList<NftElementChange>? NftablesElements(TagChange change) => null;

    public string NftablesChanges(TagChange change, bool undo) => "";

    public string NftablesReplaceAll(TagSet next) => "";

    /// <summary>An ifname key: the name, zero-padded to IFNAMSIZ.</summary>
    private static NftElementChange Element(string tag, bool add)
    {
        var key = new byte[16];
        Encoding.ASCII.GetBytes(tag, key);
        return new NftElementChange(add, NftFamily.Inet, Table, "tags", key, null, add ? $"tag={tag}" : null);
    }
}

internal sealed class TagSet(ImmutableSortedSet<string> tags) : IFirewallState
{
    public static TagSet Empty { get; } = new(ImmutableSortedSet.Create<string>(StringComparer.Ordinal));

    public ImmutableSortedSet<string> Tags { get; } = tags;

    public bool IsEmpty => Tags.IsEmpty;

    public override string ToString() => $"{Tags.Count} tags";
}

/// <summary>Tags added and removed; adding a tag that is there is a conflict, as a taken host port is to the bridge's policy.</summary>
internal sealed class TagChange(TagSet before) : IFirewallChange<TagSet>
{
    private readonly ImmutableSortedSet<string>.Builder _tags = before.Tags.ToBuilder();

    public TagSet Before { get; } = before;

    public TagSet After { get; private set; } = before;

    public List<string> Added { get; } = [];

    public List<string> Removed { get; } = [];

    public bool IsEmpty => Added.Count == 0 && Removed.Count == 0;

    public void Add(string tag)
    {
        FirewallNames.Interface(tag, "tag");
        if (!_tags.Add(tag)) throw new FirewallException($"tag {tag} is already there");
        if (!Removed.Remove(tag)) Added.Add(tag);
    }

    public void Remove(string tag)
    {
        if (!_tags.Remove(tag)) return;
        if (!Added.Remove(tag)) Removed.Add(tag);
    }

    public void Finish() => After = new TagSet(_tags.ToImmutable());

    public override string ToString() => $"+{Added.Count}/-{Removed.Count} tags";
}
