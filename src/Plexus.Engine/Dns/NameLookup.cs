using System.Net;

namespace Plexus.Engine.Dns;

/// <summary>What the registry says about a question from one sandbox.</summary>
public sealed record NameLookup
{
    public static readonly NameLookup Foreign = new() { IsLocal = false };
    public static readonly NameLookup NxDomain = new() { IsLocal = true, Rcode = DnsRcode.NxDomain };

    /// <summary>True when the name is Plexus's to answer; false when it belongs upstream.</summary>
    public required bool IsLocal { get; init; }

    public DnsRcode Rcode { get; init; }

    /// <summary>A or AAAA answers (empty with NOERROR: the name exists, without records of that type).</summary>
    public IReadOnlyList<IPAddress> Addresses { get; init; } = [];

    public IReadOnlyList<string> PtrNames { get; init; } = [];
}

/// <summary>An upstream server and the namespace queries to it leave from: the sandbox's, or the host's for loopback servers.</summary>
public sealed record Upstream(IPEndPoint EndPoint, bool FromHost);

/// <summary>How a sandbox's resolver treats names that are not Plexus's.</summary>
public sealed record ResolverConfig
{
    public IReadOnlyList<Upstream> Upstreams { get; init; } = [];

    /// <summary>False when every network of the sandbox is internal: nothing is forwarded.</summary>
    public bool Forward { get; init; }

    /// <summary>Legacy links: alias to target sandbox name, resolvable by this sandbox only.</summary>
    public IReadOnlyList<Model.SandboxLink> Links { get; init; } = [];
}
