namespace Plexus.Cluster.Etcd;

/// <summary>
/// Where etcd is and how to talk to it: its client endpoints (any member of one cluster; the client fails
/// over between them), the key prefix Plexus keeps its data under, TLS files, and the time limits that make
/// a global operation fail fast instead of hanging when etcd is away.
/// </summary>
public sealed record EtcdOptions
{
    /// <summary>Client URLs of the members (http://HOST:PORT, or https:// with TLS).</summary>
    public required IReadOnlyList<Uri> Endpoints { get; init; }

    /// <summary>Every key lives under this prefix ("/plexus"); store keys are paths below it ("/hosts/ID").</summary>
    public string Prefix { get; init; } = "/plexus";

    /// <summary>CA bundle (PEM) that signed the members' certificates; null trusts the system's CAs.</summary>
    public string? CaFile { get; init; }

    /// <summary>Client certificate and key (PEM), for members that ask for one.</summary>
    public string? CertFile { get; init; }

    public string? KeyFile { get; init; }

    /// <summary>How long one operation may take over all endpoints before it fails as unavailable.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(6);

    /// <summary>How long to wait for a TCP (and TLS) connection to one member.</summary>
    public TimeSpan DialTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Watches and lease keep-alives retry this often while etcd is away.</summary>
    public TimeSpan RetryInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// A watch that has received nothing for this long checks that its member still answers (a read), and moves
    /// to another member when it does not: HTTP/1.1 has no pings to find a member that hangs.
    /// </summary>
    public TimeSpan WatchCheckInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The endpoints as people wrote them, for error messages.</summary>
    public string Describe() => string.Join(", ", Endpoints.Select(e => e.Authority));

    /// <summary>TLS is on when any TLS file is given or an endpoint is https.</summary>
    public bool UsesTls => CaFile is not null || CertFile is not null || Endpoints.Any(e => e.Scheme == Uri.UriSchemeHttps);
}
