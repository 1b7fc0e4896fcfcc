using Plexus.Kernel.Firewall.Iptables;
using Plexus.Kernel.Firewall.Nftables;
using Plexus.Kernel.Namespaces;

namespace Plexus.Kernel.Firewall;

/// <summary>Chooses a backend by name: "nftables" (the default), "iptables" or "none".</summary>
public static class Firewalls
{
    public const string Nftables = "nftables";
    public const string Iptables = "iptables";
    public const string None = "none";

    public const string Default = Nftables;

    public static IReadOnlyList<string> Names { get; } = [Nftables, Iptables, None];

    /// <summary>A backend managing the firewall of <paramref name="target"/> (the daemon's host namespace).</summary>
    public static IFirewall Create(string backend, NetworkNamespace target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return backend switch
        {
            Nftables => new NftablesFirewall(target),
            Iptables => new IptablesFirewall(target),
            None => new NoFirewall(),
            _ => throw new ArgumentException($"firewall backend '{backend}' is not known: use {string.Join(", ", Names)}", nameof(backend)),
        };
    }
}
