namespace Plexus.Kernel.Firewall;

/// <summary>
/// A kernel setting a policy's rules rely on (route_localnet on a bridge, say), set by the backends before the rules
/// go in. <see cref="Why"/> explains a failure to set it ("publishing on 127.0.0.1 needs ...").
/// </summary>
public sealed record FirewallSysctl(string Key, string Value, string Why);
