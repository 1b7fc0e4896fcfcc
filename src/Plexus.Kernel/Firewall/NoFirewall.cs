namespace Plexus.Kernel.Firewall;

/// <summary>
/// Firewall management turned off (dockerd's --iptables=false): transactions are checked and the state is
/// kept, so callers behave the same, but no rule or sysctl is touched. The admin owns the firewall.
/// </summary>
public sealed class NoFirewall() : FirewallBase(null)
{
    public override string Backend => Firewalls.None;

    protected override bool ManagesSysctls => false;

    internal override void Apply(FirewallChange change) { }

    protected override void ApplyAll(FirewallState current, FirewallState next) { }
}
