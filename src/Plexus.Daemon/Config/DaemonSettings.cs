using Plexus.Api;
using System.Net;
using System.Text.Json;
using Plexus.Engine.Model;

namespace Plexus.Daemon.Config;

/// <summary>
/// plexusd's settings. Defaults, then the JSON config file (/etc/plexus/daemon.json), then command-line
/// flags; names mean what dockerd's do. Unknown keys in the file are an error.
/// </summary>
public sealed record DaemonSettings
{
    public const string DefaultConfigFile = "/etc/plexus/daemon.json";
    public const string DefaultSocket = "/run/plexus/plexus.sock";

    public string Host { get; init; } = "unix://" + DefaultSocket;
    public string DataRoot { get; init; } = "/var/lib/plexus";
    public string ExecRoot { get; init; } = "/run/plexus";
    public string FirewallBackend { get; init; } = "nftables";
    public bool Icc { get; init; } = true;
    public bool IPMasquerade { get; init; } = true;

    /// <summary>The default bridge's gateway and prefix (--bip 172.17.0.1/16); null lets IPAM choose.</summary>
    public string? Bip { get; init; }

    /// <summary>"base=172.80.0.0/16,size=24" entries (or from the file: [{"base":..., "size":...}]).</summary>
    public IReadOnlyList<(IPNetwork Base, int Size)> DefaultAddressPools { get; init; } = [];

    public IReadOnlyList<string> Dns { get; init; } = [];
    public int? Mtu { get; init; }

    /// <summary>Create the default "bridge" network (bridge plexus0) at start.</summary>
    public bool DefaultBridge { get; init; } = true;

    public string LogFormat { get; init; } = "text";

    /// <summary>dockerd's --log-level: debug, info, warn, error (debug shows each plugin call with its body).</summary>
    public string LogLevel { get; init; } = "info";

    /// <summary>
    /// Where Docker's network and IPAM plugin protocol is served (dockerd finds the plugin "plexus" there), or null
    /// for nowhere (--plugin-socket none). Tests and scripts that are not in a namespace with a /run of their own
    /// pass a path of theirs or none.
    /// </summary>
    public string? PluginSocket { get; init; } = Plugin.PluginEndpoints.DefaultSocket;

    /// <summary>--plugin-socket: a path, or "none".</summary>
    public static string? PluginSocketOf(string text) =>
        text == "none" ? null
        : text.StartsWith('/') ? text
        : throw PlexusException.Invalid($"invalid --plugin-socket '{text}': expected an absolute path (default {Plugin.PluginEndpoints.DefaultSocket}) or none");

    public const string DefaultGroup = "plexus";

    /// <summary>
    /// The group that may use the socket (dockerd's -G/--group). The default group ("plexus", made by the
    /// Debian package) is used when it exists; a group named explicitly must exist.
    /// </summary>
    public string Group { get; init; } = DefaultGroup;

    public bool GroupExplicit { get; init; }

    public string DaemonId { get; init; } = "";

    /// <summary>The socket path from Host (unix://PATH).</summary>
    public string SocketPath => SocketPathOf(Host);

    public static string SocketPathOf(string host)
    {
        if (host.StartsWith("unix://", StringComparison.Ordinal)) return host["unix://".Length..];
        if (host.StartsWith('/')) return host;
        throw PlexusException.Invalid($"invalid host '{host}': plexusd listens only on unix sockets (unix:///run/plexus/plexus.sock)");
    }

    private static readonly string[] Keys =
        ["host", "hosts", "data-root", "exec-root", "firewall-backend", "iptables", "icc", "ip-masq", "bip", "default-address-pools", "dns", "mtu", "bridge", "log-format", "group", "plugin-socket", "log-level"];

    /// <summary>Applies a daemon.json on top of these settings.</summary>
    public DaemonSettings WithFile(string path)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw PlexusException.Invalid($"config file {path} is not valid JSON: {e.Message}");
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw PlexusException.Invalid($"config file {path} must hold a JSON object");
            var s = this;
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (!Keys.Contains(p.Name))
                    throw PlexusException.Invalid($"config file {path}: unknown key \"{p.Name}\" (known: {string.Join(", ", Keys)})");
                try
                {
                    s = p.Name switch
                    {
                        "host" => s with { Host = UnixHost(Text(p.Value)) },
                        "hosts" => s with { Host = UnixHost(Text(p.Value.EnumerateArray().First())) },
                        "data-root" => s with { DataRoot = Text(p.Value) },
                        "exec-root" => s with { ExecRoot = Text(p.Value) },
                        "firewall-backend" => s with { FirewallBackend = Backend(Text(p.Value)) },
                        "iptables" => p.Value.GetBoolean() ? s : s with { FirewallBackend = "none" },
                        "icc" => s with { Icc = p.Value.GetBoolean() },
                        "ip-masq" => s with { IPMasquerade = p.Value.GetBoolean() },
                        "bip" => s with { Bip = BridgeIP(Text(p.Value)) },
                        "default-address-pools" => s with
                        {
                            DefaultAddressPools = p.Value.EnumerateArray().Select(e => Pool(Text(e.GetProperty("base")), e.GetProperty("size").GetInt32())).ToList(),
                        },
                        "dns" => s with { Dns = p.Value.EnumerateArray().Select(e => Dns1(Text(e))).ToList() },
                        "mtu" => s with { Mtu = Mtu1(p.Value.GetInt32()) },
                        "bridge" => s with { DefaultBridge = Text(p.Value) != "none" },
                        "log-format" => s with { LogFormat = LogFormat1(Text(p.Value)) },
                        "group" => s with { Group = Text(p.Value), GroupExplicit = true },
                        "plugin-socket" => s with { PluginSocket = PluginSocketOf(Text(p.Value)) },
                        "log-level" => s with { LogLevel = LogLevel1(Text(p.Value)) },
                        _ => s,
                    };
                }
                catch (Exception e) when (e is InvalidOperationException or KeyNotFoundException or FormatException)
                {
                    throw PlexusException.Invalid($"config file {path}: key \"{p.Name}\" has the wrong type or form: {e.Message}");
                }
                catch (PlexusException e)
                {
                    throw PlexusException.Invalid($"config file {path}: key \"{p.Name}\": {e.Message}");
                }
            }
            return s;
        }
    }

    /// <summary>A JSON string; null, numbers and the rest are the wrong type (GetString would let null through).</summary>
    private static string Text(JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? value.GetString()! : throw new FormatException($"expected a string, got {value.ValueKind.ToString().ToLowerInvariant()}");

    /// <summary>Checked when read, so a bad host fails with the file's name rather than later at start.</summary>
    private static string UnixHost(string host)
    {
        SocketPathOf(host);
        return host;
    }

    /// <summary>dockerd's --bip: the bridge's own address with the subnet's prefix length, e.g. 172.17.0.1/16.</summary>
    public static string BridgeIP(string text)
    {
        try
        {
            if (text.Contains('/', StringComparison.Ordinal) && Kernel.Types.IPPrefix.Parse(text).IsIPv4) return text;
        }
        catch (FormatException)
        {
            // the same message as any other wrong form
        }
        throw PlexusException.Invalid($"invalid --bip '{text}': expected the bridge's IPv4 address with a prefix length, e.g. 172.17.0.1/16");
    }

    /// <summary>The smallest MTU IPv4 allows up to the largest a link takes.</summary>
    public static int Mtu1(int mtu) =>
        mtu is >= 68 and <= 65535 ? mtu : throw PlexusException.Invalid($"invalid --mtu {mtu}: expected 68 to 65535");

    public static string LogFormat1(string text) =>
        text is "text" or "json" ? text : throw PlexusException.Invalid($"invalid --log-format '{text}': expected text or json");

    public static string LogLevel1(string text) =>
        text is "debug" or "info" or "warn" or "error" ? text : throw PlexusException.Invalid($"invalid --log-level '{text}': expected debug, info, warn or error");

    public static string Backend(string text) => text is "nftables" or "iptables" or "none" ? text
        : throw PlexusException.Invalid($"invalid firewall backend '{text}' (nftables, iptables or none)");

    public static (IPNetwork, int) Pool(string @base, int size) =>
        IPNetwork.TryParse(@base, out var network) && size >= network.PrefixLength && size <= (network.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 30 : 126)
            ? (network, size)
            : throw PlexusException.Invalid($"invalid default address pool base={@base} size={size}");

    /// <summary>Parses "base=172.80.0.0/16,size=24".</summary>
    public static (IPNetwork, int) ParsePool(string text)
    {
        string? b = null;
        int? size = null;
        foreach (var part in text.Split(','))
        {
            var kv = part.Split('=', 2);
            if (kv.Length != 2) throw PlexusException.Invalid($"invalid --default-address-pool '{text}': expected base=CIDR,size=N");
            if (kv[0] == "base") b = kv[1];
            else if (kv[0] == "size" && int.TryParse(kv[1], System.Globalization.CultureInfo.InvariantCulture, out var n)) size = n;
            else throw PlexusException.Invalid($"invalid --default-address-pool '{text}': unknown field '{kv[0]}'");
        }
        return b is null || size is null ? throw PlexusException.Invalid($"invalid --default-address-pool '{text}': needs base and size") : Pool(b, size.Value);
    }

    public static string Dns1(string text) => IPAddress.TryParse(text, out _) ? text : throw PlexusException.Invalid($"invalid --dns '{text}': not an IP address");
}
