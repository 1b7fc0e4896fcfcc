using System.Globalization;

namespace Plexus.Daemon.Config;

/// <summary>How an option takes its value on the command line.</summary>
internal enum OptionArity
{
    /// <summary>One value (--opt VALUE, --opt=VALUE); given twice is an error.</summary>
    One,

    /// <summary>One value per occurrence, repeatable (--dns A --dns B); the values replace the file's list.</summary>
    Repeatable,

    /// <summary>A nullable bool: --opt alone is true, --opt=false / --opt false sets it; the last occurrence wins.</summary>
    Switch,
}

/// <summary>
/// One plexusd option: its names, what its help says, and how its values set <see cref="DaemonSettings"/>. The
/// setters call the same checks as daemon.json does, so a flag and a file key refuse the same bad values.
/// </summary>
/// <param name="Set">Applies the option's values (one, or every occurrence's for a repeatable option) on top of
/// the settings read so far; null for --config-file, which chooses the file rather than setting a value.</param>
internal sealed record DaemonOption(string Name, char? Short, OptionArity Arity, string Description, Func<DaemonSettings, IReadOnlyList<string>, DaemonSettings>? Set)
{
    public static readonly DaemonOption ConfigFile =
        new("--config-file", null, OptionArity.One, $"JSON config file [default: {DaemonSettings.DefaultConfigFile}]", null);

    /// <summary>
    /// Every option but help and version, in the order the help lists them, which is also the order they are
    /// applied in (with several bad values, the first is reported).
    /// </summary>
    public static readonly DaemonOption[] All =
    [
        new("--host", 'H', OptionArity.One, "Socket to listen on (unix://PATH)", (s, v) => s with { Host = v[0] }),
        ConfigFile,
        new("--data-root", null, OptionArity.One, "Persistent state (the store)", (s, v) => s with { DataRoot = v[0] }),
        new("--exec-root", null, OptionArity.One, "Runtime state: namespaces, sandbox files", (s, v) => s with { ExecRoot = v[0] }),
        new("--firewall-backend", null, OptionArity.One, "nftables, iptables or none", (s, v) => s with { FirewallBackend = DaemonSettings.Backend(v[0]) }),
        new("--icc", null, OptionArity.Switch, "Default for inter-container communication on bridge networks", (s, v) => s with { Icc = bool.Parse(v[0]) }),
        new("--ip-masq", null, OptionArity.Switch, "Default for masquerading bridge networks' outbound traffic", (s, v) => s with { IPMasquerade = bool.Parse(v[0]) }),
        new("--bip", null, OptionArity.One, "Gateway address and prefix of the default bridge (172.17.0.1/16)", (s, v) => s with { Bip = DaemonSettings.BridgeIP(v[0]) }),
        new("--default-address-pool", null, OptionArity.Repeatable, "base=CIDR,size=N; repeatable", (s, v) => s with { DefaultAddressPools = v.Select(DaemonSettings.ParsePool).ToList() }),
        new("--dns", null, OptionArity.Repeatable, "Upstream DNS server for sandboxes; repeatable", (s, v) => s with { Dns = v.Select(DaemonSettings.Dns1).ToList() }),
        new("--mtu", null, OptionArity.One, "Default MTU of bridge networks", (s, v) => s with { Mtu = DaemonSettings.Mtu1(Number("--mtu", v[0])) }),
        new("--log-format", null, OptionArity.One, "text or json", (s, v) => s with { LogFormat = DaemonSettings.LogFormat1(v[0]) }),
        new("--group", 'G', OptionArity.One, $"Group that may use the socket (default: {DaemonSettings.DefaultGroup}, when it exists)", (s, v) => s with { Group = v[0], GroupExplicit = true }),
        new("--cluster-store", null, OptionArity.One, "etcd cluster for global networks: etcd://HOST:PORT[,HOST:PORT...]", (s, v) => s with { ClusterStore = v[0] }),
        new("--cluster-advertise", null, OptionArity.One, "This host's address for the cluster and its VTEP: IP[:PORT]", (s, v) => s with { ClusterAdvertise = v[0] }),
        new("--cluster-store-opt", null, OptionArity.Repeatable, "kv.cacertfile=, kv.certfile=, kv.keyfile= (TLS to etcd); repeatable", (s, v) => s with
        {
            ClusterStoreOpts = v.Select(ClusterSettings.ParseOption).GroupBy(o => o.Key).ToDictionary(o => o.Key, o => o.Last().Value, StringComparer.Ordinal),
        }),
        new("--plugin-socket", null, OptionArity.One, $"Socket for Docker's network and IPAM plugin protocol (default {Plugin.PluginEndpoints.DefaultSocket}), or none", (s, v) => s with { PluginSocket = DaemonSettings.PluginSocketOf(v[0]) }),
        new("--log-level", 'l', OptionArity.One, "debug, info, warn or error", (s, v) => s with { LogLevel = DaemonSettings.LogLevel1(v[0]) }),
    ];

    /// <summary>The name the help shows for the value: --data-root &lt;data-root&gt;.</summary>
    public string ValueName => Name[2..];

    private static int Number(string option, string text) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw Engine.Model.PlexusException.Invalid($"invalid {option} '{text}': expected a whole number");
}
