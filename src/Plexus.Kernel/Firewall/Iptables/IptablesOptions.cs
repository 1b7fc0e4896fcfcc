namespace Plexus.Kernel.Firewall.Iptables;

/// <summary>Which iptables tools to run (the nf_tables or legacy variant, say) and whether to manage IPv6.</summary>
public sealed record IptablesOptions
{
    public string Restore { get; init; } = "iptables-restore";
    public string Restore6 { get; init; } = "ip6tables-restore";
    public string Save { get; init; } = "iptables-save";
    public string Save6 { get; init; } = "ip6tables-save";

    /// <summary>Manage ip6tables too (the policy's IPv6 chains).</summary>
    public bool IPv6 { get; init; } = true;

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);
}
