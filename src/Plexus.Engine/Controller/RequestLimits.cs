namespace Plexus.Engine.Controller;

/// <summary>
/// The bounds every request is held to (docs/api.md lists them). Each is far above what a person or a
/// tool writes, and low enough that no request can make the daemon store, write or allocate without end.
/// </summary>
public static class RequestLimits
{
    /// <summary>A request body: 1 MiB (a network create is a few hundred bytes; a command line is bounded by the kernel anyway).</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    /// <summary>A network, sandbox or endpoint name, an alias, a domain: the longest DNS name (RFC 1035).</summary>
    public const int MaxNameLength = 253;

    /// <summary>One dot-separated label of a DNS name (RFC 1035 2.3.4).</summary>
    public const int MaxLabelLength = 63;

    /// <summary>A hostname: the kernel's HOST_NAME_MAX; sethostname refuses anything longer.</summary>
    public const int MaxHostnameLength = 64;

    /// <summary>Entries in any list (aliases, DNS servers, extra hosts, links, ports, cap-add...) of one request.</summary>
    public const int MaxListEntries = 1000;

    /// <summary>Entries in any map (labels, driver options, IPAM options, aux addresses) of one request.</summary>
    public const int MaxMapEntries = 1000;

    /// <summary>A label or option key.</summary>
    public const int MaxKeyLength = 1024;

    /// <summary>A label or option value.</summary>
    public const int MaxValueLength = 64 * 1024;

    /// <summary>A resolv.conf option (ndots:2, edns0, ...).</summary>
    public const int MaxDnsOptionLength = 255;

    /// <summary>One argument or environment entry of a process: the kernel's MAX_ARG_STRLEN less its NUL.</summary>
    public const int MaxArgumentLength = 128 * 1024 - 1;

    /// <summary>A path (a namespace to adopt): PATH_MAX less its NUL.</summary>
    public const int MaxPathLength = 4095;

    /// <summary>An exec's timeout: at most a week, in seconds.</summary>
    public const int MaxExecTimeoutSeconds = 7 * 24 * 3600;

    /// <summary>What an exec answered in JSON keeps of each of stdout and stderr; the rest is counted, not kept.</summary>
    public const int MaxExecOutputBytes = 1024 * 1024;
}
