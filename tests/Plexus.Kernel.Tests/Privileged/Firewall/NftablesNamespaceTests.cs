using System.Runtime.InteropServices;
using Plexus.Kernel.Firewall;
using Plexus.Kernel.Firewall.Nftables;
using Plexus.Kernel.Interop;
using Plexus.Kernel.Tests.Unit.Firewall;
using Plexus.Testing;

namespace Plexus.Kernel.Tests.Privileged.Firewall;

/// <summary>Which network namespace libnftables talks to, that a policy's rules land in the one it targets, and the element path.</summary>
[Trait("Category", "Privileged")]
public sealed class NftablesNamespaceTests
{
    [PrivilegedFact]
    public void The_rules_land_in_the_target_namespace_and_nowhere_else()
    {
        using var net = new TestNetwork();
        net.Add("other");
        using var firewall = new NftablesFirewall<TagSet, TagChange>(net.HostNs, TagSetPolicy.Instance);
        firewall.Begin().Add(c => c.Add("a")).Commit();

        Assert.Contains("table inet plexus_test", net.Exec("host", "nft", "list", "tables").Output, StringComparison.Ordinal);
        Assert.DoesNotContain("plexus", net.Exec("other", "nft", "list", "tables").Output, StringComparison.Ordinal);
        Assert.Contains("tag=a", firewall.Execute("list table inet plexus_test"), StringComparison.Ordinal);
    }

    /// <summary>Between two non-empty states a policy's elements go straight to the kernel (one netlink batch), comments included.</summary>
    [PrivilegedFact]
    public void An_incremental_change_adds_and_deletes_just_its_elements()
    {
        using var net = new TestNetwork();
        using var firewall = new NftablesFirewall<TagSet, TagChange>(net.HostNs, TagSetPolicy.Instance);
        firewall.Begin().Add(c => c.Add("a")).Commit();
        net.Exec("host", "nft", "add", "rule", "inet", TagSetPolicy.Table, "admin", "accept");

        firewall.Begin().Add(c => c.Add("b")).Add(c => c.Remove("a")).Commit();

        var set = net.Exec("host", "nft", "list", "set", "inet", TagSetPolicy.Table, "tags").Output;
        Assert.Contains("\"b\" comment \"tag=b\"", set, StringComparison.Ordinal);
        Assert.DoesNotContain("\"a\"", set, StringComparison.Ordinal);
        // Not a re-apply: that would have recreated the table and lost the rule added by hand.
        Assert.Contains("accept", net.Exec("host", "nft", "list", "chain", "inet", TagSetPolicy.Table, "admin").Output, StringComparison.Ordinal);
        Assert.Null(firewall.Damage);
    }

    /// <summary>
    /// Documents libnftables' behaviour (1.0.6 here): the context's netlink socket is opened by nft_ctx_new in the
    /// creating thread's namespace and stays there, whatever namespace later commands run in. NftContext does
    /// not depend on it (it creates the context and runs every command on the target's worker thread); if this
    /// test ever fails, libnftables binds per command and NftContext is still right.
    /// </summary>
    [PrivilegedFact]
    public void A_libnftables_context_keeps_the_namespace_it_was_created_in()
    {
        using var net = new TestNetwork();
        var (other, _) = net.Add("other");
        using var ctx = net.HostNs.Run(() => LibNftables.CtxNew(LibNftables.NFT_CTX_DEFAULT));
        Assert.Equal(0, LibNftables.CtxBufferError(ctx));
        int rc = other.Run(() => LibNftables.RunCmdFromBuffer(ctx, "add table inet probe"));
        Assert.True(rc == 0, Marshal.PtrToStringUTF8(LibNftables.CtxGetErrorBuffer(ctx)));

        Assert.Contains("table inet probe", net.Exec("host", "nft", "list", "tables").Output, StringComparison.Ordinal);
        Assert.DoesNotContain("probe", net.Exec("other", "nft", "list", "tables").Output, StringComparison.Ordinal);
    }

    [PrivilegedFact]
    public void A_refused_script_reports_nfts_error_and_applies_nothing()
    {
        using var net = new TestNetwork();
        using var firewall = new NftablesFirewall<TagSet, TagChange>(net.HostNs, TagSetPolicy.Instance);
        firewall.Begin().Add(c => c.Add("a")).Commit();
        var before = net.Exec("host", "nft", "list", "ruleset").Output;

        var e = Assert.Throws<FirewallException>(() => firewall.Execute("add element inet plexus_test tags { \"x\" }\ndelete element inet plexus_test tags { \"nope\" }"));
        Assert.Contains("No such file or directory", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, net.Exec("host", "nft", "list", "ruleset").Output);
    }
}
