using Plexus.Kernel.Firewall;

namespace Plexus.Kernel.Tests.Unit.Firewall;

/// <summary>The firewall's mechanism with a policy of its own (<see cref="TagSetPolicy"/>) and no kernel: what a commit keeps.</summary>
public sealed class FirewallMechanismTests
{
    private static NoFirewall<TagSet, TagChange> Create() => new NoFirewall<TagSet, TagChange>(TagSetPolicy.Instance);

    [Fact]
    public void A_commit_replays_its_steps_on_the_state_in_order()
    {
        using var firewall = Create();
        firewall.Begin().Add(c => c.Add("a")).Add(c => c.Add("b")).Add(c => c.Remove("a")).Commit();
        Assert.Equal(["b"], firewall.State.Tags);
    }

    [Fact]
    public void A_commit_whose_step_is_refused_changes_nothing()
    {
        using var firewall = Create();
        firewall.Begin().Add(c => c.Add("a")).Commit();
        var before = firewall.State;

        var tx = firewall.Begin().Add(c => c.Add("b")).Add(c => c.Add("a"));
        Assert.Contains("tag a is already there", Assert.Throws<FirewallException>(tx.Commit).Message, StringComparison.Ordinal);
        Assert.Same(before, firewall.State);
    }

    [Fact]
    public void A_transaction_commits_once_and_takes_no_steps_after()
    {
        using var firewall = Create();
        var tx = firewall.Begin().Add(c => c.Add("a"));
        tx.Commit();
        Assert.Throws<InvalidOperationException>(tx.Commit);
        Assert.Throws<InvalidOperationException>(() => tx.Add(c => c.Add("b")));
    }

    [Fact]
    public void ReplaceAll_and_Clear_set_the_state_whatever_it_was()
    {
        using var firewall = Create();
        firewall.Begin().Add(c => c.Add("a")).Commit();
        var next = new TagSet(System.Collections.Immutable.ImmutableSortedSet.Create(StringComparer.Ordinal, "x", "y"));
        firewall.ReplaceAll(next);
        Assert.Same(next, firewall.State);
        firewall.Clear();
        Assert.True(firewall.State.IsEmpty);
        Assert.Equal(Firewalls.None, firewall.Backend);
    }
}
