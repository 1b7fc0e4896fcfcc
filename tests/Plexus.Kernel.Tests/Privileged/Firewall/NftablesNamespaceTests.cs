using System.Runtime.InteropServices;
using Plexus.Kernel.Firewall;
using Plexus.Kernel.Firewall.Nftables;
using Plexus.Kernel.Interop;
using Plexus.Kernel.Rtnl.LinkKinds;
using Plexus.Testing;

namespace Plexus.Kernel.Tests.Privileged.Firewall;

/// <summary>Which network namespace libnftables talks to, and that Plexus's rules land in the one it targets.</summary>
[Trait("Category", "Privileged")]
public sealed class NftablesNamespaceTests
{
    [PrivilegedFact]
    public void The_rules_land_in_the_target_namespace_and_nowhere_else()
    {
        using var net = new TestNetwork();
        net.Add("other");
        net.Host.CreateLink(new BridgeSpec("plx-a") { Up = true });
        using var firewall = new NftablesFirewall<FirewallState, FirewallChange>(net.HostNs, BridgeFirewallPolicy.Instance);
        firewall.Begin().AddNetwork(new BridgeRules("neta", "plx-a", [System.Net.IPNetwork.Parse("172.18.0.0/16")])).Commit();

        Assert.Contains("table inet plexus", net.Exec("host", "nft", "list", "tables").Output, StringComparison.Ordinal);
        Assert.DoesNotContain("plexus", net.Exec("other", "nft", "list", "tables").Output, StringComparison.Ordinal);
        Assert.Contains("filter-to-plx-a", firewall.Execute("list table inet plexus"), StringComparison.Ordinal);
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
        net.Host.CreateLink(new BridgeSpec("plx-a") { Up = true });
        using var firewall = new NftablesFirewall<FirewallState, FirewallChange>(net.HostNs, BridgeFirewallPolicy.Instance);
        firewall.Begin().AddNetwork(new BridgeRules("neta", "plx-a", [System.Net.IPNetwork.Parse("172.18.0.0/16")])).Commit();
        var before = net.Exec("host", "nft", "list", "ruleset").Output;

        var e = Assert.Throws<FirewallException>(() => firewall.Execute("add element inet plexus bridges { \"x\" }\ndelete element inet plexus bridges { \"nope\" }"));
        Assert.Contains("No such file or directory", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, net.Exec("host", "nft", "list", "ruleset").Output);
    }
}
