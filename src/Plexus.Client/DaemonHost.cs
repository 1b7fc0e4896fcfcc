namespace Plexus.Client;

/// <summary>
/// Where plexusd listens, from -H/--host, else PLEXUS_HOST, else the default socket: unix:///PATH (or a
/// bare absolute path) for its Unix socket, tcp://HOST:PORT for plain HTTP.
/// </summary>
public sealed record DaemonHost
{
    /// <summary>plexusd's default socket.</summary>
    public const string DefaultUri = "unix:///run/plexus/plexus.sock";

    /// <summary>The environment variable that names the daemon when no host is given.</summary>
    public const string EnvironmentVariable = "PLEXUS_HOST";

    private DaemonHost(string uri, string? socketPath, string? tcpAuthority)
    {
        Uri = uri;
        SocketPath = socketPath;
        TcpAuthority = tcpAuthority;
    }

    /// <summary>As the user wrote it (or the default), for messages.</summary>
    public string Uri { get; }

    /// <summary>The Unix socket's path, or null for TCP.</summary>
    public string? SocketPath { get; }

    /// <summary>HOST:PORT for TCP, or null for a Unix socket.</summary>
    public string? TcpAuthority { get; }

    /// <summary>The host <paramref name="option"/> names, else the one <paramref name="environment"/> (PLEXUS_HOST) names, else the default.</summary>
    /// <exception cref="FormatException">The chosen text is neither a unix:// nor a tcp:// address.</exception>
    public static DaemonHost Resolve(string? option, string? environment) =>
        Parse(!string.IsNullOrWhiteSpace(option) ? option : !string.IsNullOrWhiteSpace(environment) ? environment : DefaultUri);

    /// <summary>Reads unix:///PATH, a bare absolute PATH, or tcp://HOST:PORT.</summary>
    /// <exception cref="FormatException">Neither a unix:// nor a tcp:// address; the message names the problem.</exception>
    public static DaemonHost Parse(string text)
    {
        text = text.Trim();
        if (text.StartsWith("unix://", StringComparison.Ordinal))
        {
            var path = text["unix://".Length..];
            if (!path.StartsWith('/')) throw new FormatException($"invalid host '{text}': the socket path must be absolute, e.g. {DefaultUri}");
            return new DaemonHost(text, path, null);
        }
        if (text.StartsWith('/')) return new DaemonHost("unix://" + text, text, null);
        if (text.StartsWith("tcp://", StringComparison.Ordinal))
        {
            var authority = text["tcp://".Length..].TrimEnd('/');
            if (authority.Length == 0 || !System.Uri.TryCreate("http://" + authority, UriKind.Absolute, out var uri) || uri.AbsolutePath != "/")
                throw new FormatException($"invalid host '{text}': expected tcp://HOST:PORT");
            return new DaemonHost(text, null, authority);
        }
        throw new FormatException($"invalid host '{text}': expected unix:///path/to/socket or tcp://HOST:PORT");
    }
}
