using System.Text.Json;
using Plexus.Kernel.Namespaces;

namespace Plexus.Kernel.Firewall.Nftables;

/// <summary>
/// The default backend: the policy's tables (<see cref="INftablesPolicy{TState, TChange}"/>), changed in process.
/// A change the policy renders as set and map elements goes straight to the kernel over netlink in one batch
/// (<see cref="NftElementBatch"/>); any other is one nft_run_cmd_from_buffer call through libnftables, which it sends
/// as one netlink batch: the kernel applies all of it or none of it. No process is started.
/// </summary>
public sealed class NftablesFirewall<TState, TChange> : FirewallBase<TState, TChange>
    where TState : class, IFirewallState
    where TChange : class, IFirewallChange<TState>
{
    private readonly NftContext _nft;
    private readonly NftElementBatch _elements;
    private readonly INftablesPolicy<TState, TChange> _rules;

    /// <summary>Manages the nftables ruleset of <paramref name="target"/>.</summary>
    public NftablesFirewall(NetworkNamespace target, IFirewallPolicy<TState, TChange> policy)
        : base(target ?? throw new ArgumentNullException(nameof(target)), policy)
    {
        _rules = Policy.Nftables;
        _nft = NftContext.Open(target);
        _elements = NftElementBatch.Open(target);
        OwnSocket(_elements.PortId);
    }

    public override string Backend => Firewalls.Nftables;

    protected override void Apply(TChange change)
    {
        if (_rules.Elements(change) is { } elements)
        {
            // A join or leave, with its published ports and links: only set and map elements, straight to the kernel in
            // one batch (the same batch libnftables would build from the script's text, without parse or cache).
            if (elements.Count > 0) RecordedOnOwnSocket(() => _elements.Apply(elements, $"a firewall change ({change})"));
            return;
        }
        var script = _rules.Changes(change, ForeignDropChains);
        if (script.Length == 0) return;
        Recorded(1, () => _nft.Run(script, $"a firewall change ({change})"));
    }

    protected override void ApplyAll(TState current, TState next)
    {
        var script = _rules.ReplaceAll(next, ReadTable(), ForeignDropChains());
        if (script.Length > 0) Recorded(1, () => _nft.Run(script, $"the full ruleset ({next})"));
    }

    protected override IDisposable CreateWatcher() => new Watching.NftablesWatcher(this, Target);

    /// <summary>
    /// What a batch of someone else's must not change unanswered: anything in the policy's tables but the admin's own
    /// rules in its chain; a base chain created or changed in another table (it may be a forward chain with policy
    /// drop, which needs the policy's coexistence accepts); and those accepts, deleted from another table's chain.
    /// </summary>
    internal override bool Concerns(in NftNotification n) => Owns(_rules.Tables, n)
        || (n.Kind == NftNetlink.NewChain && n.HasHook && n.Family is NftNetlink.FamilyInet or NftNetlink.FamilyIPv4 or NftNetlink.FamilyIPv6)
        || (n.Kind == NftNetlink.DelRule && _rules.ForeignRulePrefix is { } prefix && n.RuleComment?.StartsWith(prefix, StringComparison.Ordinal) == true);

    /// <summary>Whether <paramref name="n"/> is about one of <paramref name="tables"/>, other than a rule of its admin chain.</summary>
    internal static bool Owns(IReadOnlyList<NftTable> tables, in NftNotification n)
    {
        foreach (var t in tables)
        {
            if (n.Family != t.FamilyNumber || n.Table != t.Name) continue;
            if (t.AdminChain is not null && n.Kind is NftNetlink.NewRule or NftNetlink.DelRule && n.Chain == t.AdminChain) continue;
            return true;
        }
        return false;
    }

    /// <summary>Runs nft commands in the target namespace, e.g. "list table inet plexus" (for tools and tests).</summary>
    public string Execute(string commands) => _nft.Run(commands, "a command");

    /// <summary>What the policy's main table (the one with the admin chain) holds now: chains, sets, maps, and whether the admin chain has rules.</summary>
    internal NftTableContents ReadTable()
    {
        var main = _rules.Tables.FirstOrDefault(t => t.AdminChain is not null);
        if (main is null) return NftTableContents.None;
        using (var tables = JsonDocument.Parse(_nft.Json("list tables", terse: true, "list tables")))
        {
            if (!Objects(tables, "table").Any(t => Str(t, "family") == main.Family && Str(t, "name") == main.Name))
                return NftTableContents.None;
        }
        using var doc = JsonDocument.Parse(_nft.Json($"list table {main.Family} {main.Name}", terse: true, $"list table {main}"));
        var chains = Objects(doc, "chain").Select(c => Str(c, "name")!).ToList();
        var sets = Objects(doc, "set").Select(c => Str(c, "name")!).ToList();
        var maps = Objects(doc, "map").Select(c => Str(c, "name")!).ToList();
        bool userRules = Objects(doc, "rule").Any(r => Str(r, "chain") == main.AdminChain);
        return new NftTableContents(true, chains, sets, maps, userRules);
    }

    /// <summary>Other tables' forward base chains with policy drop, with the Plexus rules already in them.</summary>
    internal List<ForeignChain> ForeignDropChains()
    {
        var result = new List<ForeignChain>();
        if (_rules.ForeignRulePrefix is not { } prefix) return result;
        using var doc = JsonDocument.Parse(_nft.Json("list chains", terse: true, "list chains"));
        foreach (var c in Objects(doc, "chain"))
        {
            var (family, table, name) = (Str(c, "family"), Str(c, "table"), Str(c, "name"));
            if (Str(c, "hook") != "forward" || Str(c, "policy") != "drop") continue;
            if (family is not ("ip" or "ip6" or "inet") || !IsPlainName(table) || !IsPlainName(name)) continue;
            if (_rules.Tables.Any(t => t.Family == family && t.Name == table)) continue;
            using var rules = JsonDocument.Parse(_nft.Json($"list chain {family} {table} {name}", terse: true, $"list chain {family} {table} {name}"));
            var ours = Objects(rules, "rule")
                .Where(r => Str(r, "comment")?.StartsWith(prefix, StringComparison.Ordinal) == true)
                .Select(r => (r.GetProperty("handle").GetInt64(), Str(r, "comment")!))
                .ToList();
            result.Add(new ForeignChain(family!, table!, name!, ours));
        }
        return result;
    }

    private static IEnumerable<JsonElement> Objects(JsonDocument doc, string kind) =>
        doc.RootElement.TryGetProperty("nftables", out var items)
            ? items.EnumerateArray().Where(i => i.TryGetProperty(kind, out _)).Select(i => i.GetProperty(kind))
            : [];

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static bool IsPlainName(string? name) =>
        !string.IsNullOrEmpty(name) && char.IsAsciiLetter(name[0]) && name.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_' or '.');

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _nft.Dispose();
            _elements.Dispose();
        }
        base.Dispose(disposing);
    }
}
