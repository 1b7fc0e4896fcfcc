using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Plexus.Kernel.Namespaces;

namespace Plexus.Kernel.Firewall.Iptables;

/// <summary>
/// The second backend, for hosts that need iptables (the policy's <see cref="IIptablesPolicy{TState, TChange}"/> has the
/// layout; <see cref="IptablesScript"/> the diff). A commit
/// is one <c>iptables-restore --noflush</c> batch per address family, started inside the target namespace.
/// iptables-restore commits table by table, so when a later table is refused the earlier ones have already
/// been applied: they are then put back by the inverse batch (the same diff, computed the other way round),
/// and a failure in IPv6 undoes IPv4 the same way. The result is all or nothing, like nftables.
/// </summary>
public sealed partial class IptablesFirewall<TState, TChange> : FirewallBase<TState, TChange>
    where TState : class, IFirewallState
    where TChange : class, IFirewallChange<TState>
{
    private readonly IptablesOptions _options;
    private readonly IIptablesPolicy<TState, TChange> _rules;

    /// <summary>The policy's nf_tables tables beside the chains, through libnftables; null where it is missing or the policy has none.</summary>
    private readonly Nftables.NftContext? _bridge;
    private readonly Nftables.NftElementBatch? _elements;

    public IptablesFirewall(NetworkNamespace target, IFirewallPolicy<TState, TChange> policy, IptablesOptions? options = null)
        : base(target ?? throw new ArgumentNullException(nameof(target)), policy)
    {
        _options = options ?? new IptablesOptions();
        _rules = Policy.Iptables;
        if (_rules.NftablesTables.Count == 0) return;
        try
        {
            _bridge = Nftables.NftContext.Open(target);
            _elements = Nftables.NftElementBatch.Open(target);
            OwnSocket(_elements.PortId);
        }
        catch (FirewallException e)
        {
            _warnings.Add($"{_rules.NftablesMissing}: {e.Message}");
        }
    }

    public override string Backend => Firewalls.Iptables;

    private IEnumerable<bool> Families => _options.IPv6 ? [false, true] : [false];

    private readonly List<string> _warnings = [];


    public override IReadOnlyList<string> Warnings => _warnings;

    /// <summary>
    /// iptables-nft keeps its rules as nf_tables objects, so the nf_tables watcher sees a flush of them as it happens;
    /// iptables-legacy has no notifications, so its tables (and the nf_tables generation, for the policy's nf_tables
    /// tables) are polled, cheaply.
    /// </summary>
    protected override IDisposable? CreateWatcher()
    {
        var (code, version) = Run(_options.Restore, ["--version"], null, "tell iptables-nft from iptables-legacy");
        if (code == 0 && version.Contains("nf_tables", StringComparison.Ordinal)) return new Watching.NftablesWatcher(this, Target);
        if (code == 0 && version.Contains("legacy", StringComparison.Ordinal)) return new Watching.LegacyIptablesWatcher(this, Target, _options.IPv6, _bridge is not null);
        _warnings.Add($"cannot tell which iptables {_options.Restore} is ({version.Trim()}): Plexus will not notice when its iptables rules are flushed; a daemon restart re-applies them");
        return null;
    }

    /// <summary>Anything in the tables Plexus's chains live in, of either family: chains, jumps, rules, the tables themselves.</summary>
    internal override bool Concerns(in Nftables.NftNotification n) =>
        (n.Family is Nftables.NftNetlink.FamilyIPv4 or Nftables.NftNetlink.FamilyIPv6 && n.Table is "filter" or "nat" or "raw")
        || Nftables.NftablesFirewall<TState, TChange>.Owns(_rules.NftablesTables, n);

    protected override void Apply(TChange change)
    {
        if (_rules.NftablesElements(change) is { } elements)
        {
            // A join or leave without published ports: a handful of elements, straight to the kernel.
            if (_elements is not null && elements.Count > 0)
                RecordedOnOwnSocket(() => _elements.Apply(elements, $"a firewall change ({change})"));
            return;
        }
        // The nf_tables tables first, as their own batch; taken back if the iptables part is refused.
        var bridge = _bridge is null ? "" : _rules.NftablesChanges(change, undo: false);
        if (bridge.Length > 0) Recorded(1, () => _bridge!.Run(bridge, "the bridge ports' change"));
        try
        {
            // Both states hold networks here (the base class routes changes from or to nothing through ApplyAll),
            // so PLEXUS-USER exists before and after and is never declared.
            var plans = Families.Select(v6 => (v6, _rules.Render(change.Before, v6), _rules.Render(change.After, v6))).ToList();
            Execute(plans.Select(p => (p.v6, p.Item2, p.Item3, true)).ToList());
        }
        catch (FirewallException) when (bridge.Length > 0)
        {
            Recorded(1, () => _bridge!.Run(_rules.NftablesChanges(change, undo: true), $"the undo of a firewall change ({change})"));
            throw;
        }
    }

    protected override void ApplyAll(TState current, TState next)
    {
        var plans = new List<(bool, IptablesRuleset, IptablesRuleset, bool)>();
        foreach (var v6 in Families)
        {
            var present = IptablesScript.Parse(Run(v6 ? _options.Save6 : _options.Save, [], null, "read the current rules").Output, v6);
            var user = present.Find("filter", IptablesScript.UserChain);
            var wanted = _rules.Render(next, v6, keepUserChain: user is { Rules.Count: > 0 });
            plans.Add((v6, present, wanted, user is not null));
        }
        if (_bridge is null)
        {
            Execute(plans);
            return;
        }
        Recorded(1, () => _bridge.Run(_rules.NftablesReplaceAll(next), "the nf_tables part of the full ruleset"));
        try
        {
            Execute(plans);
        }
        catch (FirewallException)
        {
            Recorded(1, () => _bridge.Run(_rules.NftablesReplaceAll(current), "the nf_tables part of the full ruleset as it was"));
            throw;
        }
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (!disposing) return;
        _bridge?.Dispose();
        _elements?.Dispose();
    }

    /// <summary>Applies each family's diff; on failure undoes whatever part was committed, then throws.</summary>
    private void Execute(List<(bool IPv6, IptablesRuleset From, IptablesRuleset To, bool UserChainExists)> plans)
    {
        var done = new List<(bool IPv6, IReadOnlyList<(string Table, string Block)> Undo)>();
        foreach (var (v6, from, to, userExists) in plans)
        {
            var blocks = IptablesScript.Diff(from, to, userExists);
            if (blocks.Count == 0) continue;
            var undo = IptablesScript.Diff(to, from, to.Chains.Any(c => c.Kind == IptablesChainKind.User));
            var input = string.Concat(blocks.Select(b => b.Block));
            var restore = v6 ? _options.Restore6 : _options.Restore;
            // iptables-nft commits each table as a batch of its own: that many generations are Plexus's.
            var (code, output) = Recorded(blocks.Count, () => Run(restore, ["--noflush", "--wait"], input, "apply rules"));
            if (code == 0)
            {
                done.Add((v6, undo));
                continue;
            }
            // Tables whose COMMIT came before the failing line were applied; undo them, then the families before.
            var committed = CommittedTables(blocks, output);
            var problems = new List<string>();
            problems.AddRange(Undo(v6, undo.Where(u => committed is null || committed.Contains(u.Table)).ToList(), ignoreFailures: committed is null));
            foreach (var (doneV6, doneUndo) in Enumerable.Reverse(done)) problems.AddRange(Undo(doneV6, doneUndo, ignoreFailures: false));
            var message = $"{restore} refused the change";
            if (problems.Count > 0)
                message += $" (and undoing the part already applied failed: {string.Join("; ", problems)}; re-apply the whole state)";
            throw new FirewallException(message, $"{output.Trim()}\n--- input ---\n{input}");
        }
    }

    private List<string> Undo(bool v6, IReadOnlyList<(string Table, string Block)> blocks, bool ignoreFailures)
    {
        // One process per table: each is atomic on its own, and an undo of a table that was never applied
        // either changes nothing or is refused as a whole (a -D of a rule that is not there).
        var problems = new List<string>();
        foreach (var (table, block) in blocks)
        {
            var (code, output) = Recorded(1, () => Run(v6 ? _options.Restore6 : _options.Restore, ["--noflush", "--wait"], block, "undo"));
            if (code != 0 && !ignoreFailures) problems.Add($"{table}: {output.Trim()}");
        }
        return problems;
    }

    /// <summary>The tables committed before iptables-restore stopped at "line N failed"; null when it did not say.</summary>
    private static HashSet<string>? CommittedTables(IReadOnlyList<(string Table, string Block)> blocks, string output)
    {
        var m = FailedLine().Match(output);
        if (!m.Success) return null;
        int failed = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        var committed = new HashSet<string>(StringComparer.Ordinal);
        int line = 0;
        foreach (var (table, block) in blocks)
        {
            line += block.Count(c => c == '\n'); // the block's last line is its COMMIT
            if (line < failed) committed.Add(table);
        }
        return committed;
    }

    [GeneratedRegex(@"line (\d+) failed")]
    private static partial Regex FailedLine();

    private (int Code, string Output) Run(string tool, string[] args, string? input, string what)
    {
        var psi = new ProcessStartInfo(tool)
        {
            RedirectStandardInput = input is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Target!.StartProcess(psi);
        }
        catch (Win32Exception e)
        {
            throw new FirewallException($"the iptables backend could not start {tool} to {what}: {e.Message} (install iptables, or choose the nftables backend)", e);
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (input is not null)
            {
                process.StandardInput.Write(input);
                process.StandardInput.Close();
            }
            if (!process.WaitForExit(_options.Timeout))
            {
                process.Kill(entireProcessTree: true);
                throw new FirewallException($"{tool} did not finish within {_options.Timeout.TotalSeconds:0} s ({what})");
            }
            process.WaitForExit();
            var output = new StringBuilder(stdout.Result).Append(stderr.Result).ToString();
            if (input is null && process.ExitCode != 0)
                throw new FirewallException($"{tool} failed to {what}", output);
            return (process.ExitCode, output);
        }
    }
}
