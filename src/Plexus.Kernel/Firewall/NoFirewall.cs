namespace Plexus.Kernel.Firewall;

/// <summary>
/// Firewall management turned off (dockerd's --iptables=false): transactions are checked and the state is
/// kept, so callers behave the same, but no rule or sysctl is touched. The admin owns the firewall.
/// </summary>
public sealed class NoFirewall<TState, TChange>(IFirewallPolicy<TState, TChange> policy) : FirewallBase<TState, TChange>(null, policy)
    where TState : class, IFirewallState
    where TChange : class, IFirewallChange<TState>
{
    public override string Backend => Firewalls.None;

    protected override bool ManagesSysctls => false;

    protected override void Apply(TChange change) { }

    protected override void ApplyAll(TState current, TState next) { }
}
