namespace Plexus.Cli.Daemon;

/// <summary>
/// Where plexusd listens, from -H/--host, else PLEXUS_HOST, else the default socket: unix:///PATH (or a
/// bare absolute path) for its Unix socket, tcp://HOST:PORT for plain HTTP.
/// </summary>
internal sealed record DaemonHost
{
    public const string DefaultUri = "unix:///run/plexus/plexus.sock";
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

    public static DaemonHost Resolve(string? option, string? environment) =>
        Parse(!string.IsNullOrWhiteSpace(option) ? option : !string.IsNullOrWhiteSpace(environment) ? environment : DefaultUri);

    /// <exception cref="UsageException">Neither a unix:// nor a tcp:// address.</exception>
    public static DaemonHost Parse(string text)
    {
        text = text.Trim();
        if (text.StartsWith("unix://", StringComparison.Ordinal))
        {
            var path = text["unix://".Length..];
            if (!path.StartsWith('/')) throw new UsageException($"invalid host '{text}': the socket path must be absolute, e.g. {DefaultUri}");
            return new DaemonHost(text, path, null);
        }
        if (text.StartsWith('/')) return new DaemonHost("unix://" + text, text, null);
        if (text.StartsWith("tcp://", StringComparison.Ordinal))
        {
            var authority = text["tcp://".Length..].TrimEnd('/');
            if (authority.Length == 0 || !System.Uri.TryCreate("http://" + authority, UriKind.Absolute, out var uri) || uri.AbsolutePath != "/")
                throw new UsageException($"invalid host '{text}': expected tcp://HOST:PORT");
            return new DaemonHost(text, null, authority);
        }
        throw new UsageException($"invalid host '{text}': expected unix:///path/to/socket or tcp://HOST:PORT");
    }
}
