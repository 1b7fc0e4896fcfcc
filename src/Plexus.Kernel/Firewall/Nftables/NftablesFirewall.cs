using System.Text.Json;
using Plexus.Kernel.Namespaces;

namespace Plexus.Kernel.Firewall.Nftables;

/// <summary>
/// The default backend: Plexus's table <c>inet plexus</c> (see <see cref="NftablesScript"/>), changed in process
/// through libnftables. Each commit is one nft_run_cmd_from_buffer call, which libnftables sends as one netlink
/// batch: the kernel applies all of it or none of it. No process is started.
/// </summary>
public sealed class NftablesFirewall : FirewallBase
{
    private readonly NftContext _nft;
    private readonly NftElementBatch _elements;

    /// <summary>Manages the nftables ruleset of <paramref name="target"/>.</summary>
    public NftablesFirewall(NetworkNamespace target) : base(target ?? throw new ArgumentNullException(nameof(target)))
    {
        _nft = NftContext.Open(target);
        _elements = NftElementBatch.Open(target);
    }

    public override string Backend => Firewalls.Nftables;

    internal override void Apply(FirewallChange change)
    {
        if (!change.NetworksChanged)
        {
            // A join or leave, with its published ports and links: only set and map elements, straight to the kernel in
            // one batch (the same batch libnftables would build from NftablesScript's text, without parse or cache).
            List<NftElementChange> elements = [.. NftablesScript.BatchChanges(change), .. NftablesBridgeScript.BatchChanges(change)];
            if (elements.Count > 0) Recorded(1, () => _elements.Apply(elements, $"a firewall change ({Summary(change)})"));
            return;
        }
        var script = NftablesScript.Changes(change) + NftablesBridgeScript.Changes(change);
        // Foreign drop-policy chains only matter when bridges come or go; a port or a link never looks at them.
        if (change.NetworksChanged) script = NftablesScript.Coexistence(ForeignDropChains(), change.After) + script;
        if (script.Length == 0) return; // bridge ports of a network that neither guards them nor has icc off
        Recorded(1, () => _nft.Run(script, $"a firewall change ({Summary(change)})"));
    }

    protected override void ApplyAll(FirewallState current, FirewallState next)
    {
        var script = NftablesScript.Coexistence(ForeignDropChains(), next) + NftablesScript.ReplaceAll(next, ReadTable())
            + NftablesBridgeScript.ReplaceAll(next);
        if (script.Length > 0) Recorded(1, () => _nft.Run(script, $"the full ruleset ({next})"));
    }

    protected override IDisposable CreateWatcher() => new Watching.NftablesWatcher(this, Target);

    /// <summary>
    /// What a batch of someone else's must not change unanswered: anything in Plexus's table but the admin's own
    /// rules in user-forward; a base chain created or changed in another table (it may be a forward chain with
    /// policy drop, which needs Plexus's coexistence accepts); and those accepts, deleted from another table's chain.
    /// </summary>
    internal override bool Concerns(in NftNotification n) =>
        (n.Family == NftNetlink.FamilyInet && n.Table == NftablesScript.Table
            && !(n.Kind is NftNetlink.NewRule or NftNetlink.DelRule && n.Chain == NftablesScript.UserChain))
        || (n.Family == NftNetlink.FamilyBridge && n.Table == NftablesBridgeScript.Table)
        || (n.Kind == NftNetlink.NewChain && n.HasHook && n.Family is NftNetlink.FamilyInet or NftNetlink.FamilyIPv4 or NftNetlink.FamilyIPv6)
        || (n.Kind == NftNetlink.DelRule && n.RuleComment?.StartsWith(NftablesScript.ForeignRulePrefix, StringComparison.Ordinal) == true);

    /// <summary>Runs nft commands in the target namespace, e.g. "list table inet plexus" (for tools and tests).</summary>
    public string Execute(string commands) => _nft.Run(commands, "a command");

    /// <summary>What <c>inet plexus</c> holds now: chains, sets, maps, and whether the admin chain has rules.</summary>
    internal NftTableContents ReadTable()
    {
        using (var tables = JsonDocument.Parse(_nft.Json("list tables", terse: true, "list tables")))
        {
            if (!Objects(tables, "table").Any(t => Str(t, "family") == NftablesScript.Family && Str(t, "name") == NftablesScript.Table))
                return NftTableContents.None;
        }
        using var doc = JsonDocument.Parse(_nft.Json($"list table {NftablesScript.Family} {NftablesScript.Table}", terse: true, "list the Plexus table"));
        var chains = Objects(doc, "chain").Select(c => Str(c, "name")!).ToList();
        var sets = Objects(doc, "set").Select(c => Str(c, "name")!).ToList();
        var maps = Objects(doc, "map").Select(c => Str(c, "name")!).ToList();
        bool userRules = Objects(doc, "rule").Any(r => Str(r, "chain") == NftablesScript.UserChain);
        return new NftTableContents(true, chains, sets, maps, userRules);
    }

    /// <summary>Other tables' forward base chains with policy drop, with the Plexus rules already in them.</summary>
    internal List<ForeignChain> ForeignDropChains()
    {
        var result = new List<ForeignChain>();
        using var doc = JsonDocument.Parse(_nft.Json("list chains", terse: true, "list chains"));
        foreach (var c in Objects(doc, "chain"))
        {
            var (family, table, name) = (Str(c, "family"), Str(c, "table"), Str(c, "name"));
            if (Str(c, "hook") != "forward" || Str(c, "policy") != "drop") continue;
            if (family is not ("ip" or "ip6" or "inet") || !IsPlainName(table) || !IsPlainName(name)) continue;
            if (family == NftablesScript.Family && table == NftablesScript.Table) continue;
            using var rules = JsonDocument.Parse(_nft.Json($"list chain {family} {table} {name}", terse: true, $"list chain {family} {table} {name}"));
            var ours = Objects(rules, "rule")
                .Where(r => Str(r, "comment")?.StartsWith(NftablesScript.ForeignRulePrefix, StringComparison.Ordinal) == true)
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

    private static string Summary(FirewallChange c) =>
        $"+{c.NetworksAdded.Count}/-{c.NetworksRemoved.Count} networks, +{c.PortsAdded.Count}/-{c.PortsRemoved.Count} ports, +{c.LinksAdded.Count}/-{c.LinksRemoved.Count} links, +{c.BridgePortsAdded.Count}/-{c.BridgePortsRemoved.Count} bridge ports";

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
