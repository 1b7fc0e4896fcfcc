using System.Net;
using Plexus.Engine.Model;

namespace Plexus.Daemon.Config;

/// <summary>
/// dockerd's --cluster-store, --cluster-advertise and --cluster-store-opt, checked: the etcd endpoints and
/// key prefix, the address this host advertises (its VTEP), and TLS files. Plain values only: nothing here
/// loads the cluster assembly, which is loaded only when a cluster store is given.
/// </summary>
public sealed record ClusterSettings
{
    public const string DefaultPrefix = "/plexus";
    public const int DefaultEtcdPort = 2379;
    private static readonly string[] OptionKeys = ["kv.cacertfile", "kv.certfile", "kv.keyfile"];

    /// <summary>The store as given (etcd://HOST:PORT,...), as /info shows it.</summary>
    public required string Store { get; init; }

    /// <summary>The members' client URLs (http://, or https:// with TLS).</summary>
    public required IReadOnlyList<Uri> Endpoints { get; init; }

    public string Prefix { get; init; } = DefaultPrefix;

    /// <summary>The address as given (IP or IP:PORT), as /info shows it and other hosts read it.</summary>
    public required string Advertise { get; init; }

    /// <summary>The advertised IP: where other hosts send this host's overlay traffic.</summary>
    public required IPAddress Vtep { get; init; }

    public string? CaFile { get; init; }
    public string? CertFile { get; init; }
    public string? KeyFile { get; init; }

    /// <summary>The cluster settings from the daemon's flags or file; null when no store is given (a single host).</summary>
    public static ClusterSettings? From(string? store, string? advertise, IReadOnlyDictionary<string, string> options)
    {
        if (string.IsNullOrEmpty(store))
        {
            if (!string.IsNullOrEmpty(advertise)) throw PlexusException.Invalid("--cluster-advertise needs --cluster-store: the etcd cluster to register in (etcd://HOST:PORT[,HOST:PORT...])");
            if (options.Count > 0) throw PlexusException.Invalid("--cluster-store-opt needs --cluster-store");
            return null;
        }
        if (string.IsNullOrEmpty(advertise))
            throw PlexusException.Invalid("--cluster-advertise is required with --cluster-store: the address (IP or IP:PORT) other hosts reach this one at, which is also its VTEP address");
        foreach (var key in options.Keys)
            if (!OptionKeys.Contains(key)) throw PlexusException.Invalid($"invalid --cluster-store-opt '{key}': known options are {string.Join(", ", OptionKeys)}");
        string? ca = File1(options, "kv.cacertfile"), cert = File1(options, "kv.certfile"), key1 = File1(options, "kv.keyfile");
        if ((cert is null) != (key1 is null)) throw PlexusException.Invalid("--cluster-store-opt kv.certfile and kv.keyfile go together: a client certificate needs its key");
        bool tls = ca is not null || cert is not null;
        var (endpoints, prefix) = ParseStore(store, tls);
        return new ClusterSettings
        {
            Store = store,
            Endpoints = endpoints,
            Prefix = prefix,
            Advertise = advertise,
            Vtep = ParseAdvertise(advertise),
            CaFile = ca,
            CertFile = cert,
            KeyFile = key1,
        };
    }

    /// <summary>etcd://HOST[:PORT][,HOST[:PORT]...][/PREFIX], as libkv took it.</summary>
    public static (IReadOnlyList<Uri> Endpoints, string Prefix) ParseStore(string store, bool tls)
    {
        const string Scheme = "etcd://";
        string Bad(string why) => $"invalid --cluster-store '{store}': {why}; expected etcd://HOST:PORT[,HOST:PORT...]";
        if (!store.StartsWith(Scheme, StringComparison.Ordinal))
        {
            int colon = store.IndexOf("://", StringComparison.Ordinal);
            throw PlexusException.Invalid(colon > 0
                ? Bad($"plexusd keeps its cluster state in etcd, not {store[..colon]}")
                : Bad("no scheme"));
        }
        var rest = store[Scheme.Length..];
        int slash = rest.IndexOf('/', StringComparison.Ordinal);
        var prefix = slash < 0 ? DefaultPrefix : "/" + rest[(slash + 1)..].Trim('/');
        if (prefix == "/") prefix = DefaultPrefix;
        var hosts = slash < 0 ? rest : rest[..slash];
        var endpoints = new List<Uri>();
        foreach (var host in hosts.Split(','))
        {
            if (host.Length == 0) throw PlexusException.Invalid(Bad("an empty endpoint"));
            if (!Uri.TryCreate($"{(tls ? "https" : "http")}://{host}", UriKind.Absolute, out var uri) || uri.AbsolutePath != "/" || uri.UserInfo.Length > 0 || uri.Query.Length > 0)
                throw PlexusException.Invalid(Bad($"'{host}' is not HOST:PORT"));
            if (uri.IsDefaultPort && !host.EndsWith(":" + uri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal))
                uri = new UriBuilder(uri) { Port = DefaultEtcdPort }.Uri;
            endpoints.Add(uri);
        }
        return (endpoints, prefix);
    }

    /// <summary>IP or IP:PORT ([IPv6]:PORT): the IP is the VTEP address, so it must be a real one.</summary>
    public static IPAddress ParseAdvertise(string advertise)
    {
        IPAddress? ip = null;
        if (IPEndPoint.TryParse(advertise, out var endpoint) && (advertise.Contains('.', StringComparison.Ordinal) || advertise.StartsWith('[') || advertise.Count(c => c == ':') >= 2))
            ip = endpoint.Address;
        if (ip is null)
            throw PlexusException.Invalid($"invalid --cluster-advertise '{advertise}': expected this host's IP address, optionally with a port (10.0.0.1 or 10.0.0.1:2376)");
        if (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any))
            throw PlexusException.Invalid($"invalid --cluster-advertise '{advertise}': other hosts cannot reach an unspecified address; give this host's address on the underlay");
        return ip;
    }

    private static string? File1(IReadOnlyDictionary<string, string> options, string key)
    {
        if (!options.TryGetValue(key, out var path)) return null;
        if (!File.Exists(path)) throw PlexusException.Invalid($"--cluster-store-opt {key}={path}: no such file");
        return path;
    }

    /// <summary>Parses one --cluster-store-opt KEY=VALUE.</summary>
    public static KeyValuePair<string, string> ParseOption(string text)
    {
        var kv = text.Split('=', 2);
        return kv.Length == 2 && kv[0].Length > 0
            ? new(kv[0], kv[1])
            : throw PlexusException.Invalid($"invalid --cluster-store-opt '{text}': expected KEY=VALUE (kv.cacertfile=PATH, kv.certfile=PATH, kv.keyfile=PATH)");
    }
}
