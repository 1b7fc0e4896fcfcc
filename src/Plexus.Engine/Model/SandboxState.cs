namespace Plexus.Engine.Model;

/// <summary>A sandbox: one container's network stack (a network namespace) with its hosts and DNS files.</summary>
public sealed record SandboxState
{
    public required string Id { get; init; }
    public required string Name { get; init; }

    /// <summary>Path of the namespace: a bind mount Plexus made, a path the user gave, or /proc/PID/ns/net.</summary>
    public required string NamespacePath { get; init; }

    /// <summary>True when Plexus created the namespace (and so deletes it); false when adopted.</summary>
    public bool Owned { get; init; }

    /// <summary>For a namespace adopted by PID: the process, so a restart can tell it is gone.</summary>
    public int? Pid { get; init; }

    /// <summary>Inode of the namespace when adopted, to tell a recycled PID from the original process.</summary>
    public ulong NamespaceInode { get; init; }

    public string? Hostname { get; init; }
    public IReadOnlyList<string> DnsServers { get; init; } = [];
    public IReadOnlyList<string> DnsSearch { get; init; } = [];
    public IReadOnlyList<string> DnsOptions { get; init; } = [];

    /// <summary>Extra hosts-file lines ("name:ip"), e.g. from links.</summary>
    public IReadOnlyList<string> ExtraHosts { get; init; } = [];

    public DateTimeOffset Created { get; init; }

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>Legacy links (--link name:alias) to other sandboxes.</summary>
    public IReadOnlyList<SandboxLink> Links { get; init; } = [];

    /// <summary>docker run --privileged: its processes get every capability, no no_new_privs, and see the daemon's paths.</summary>
    public bool Privileged { get; init; }

    /// <summary>--cap-add and --cap-drop, normalized (CAP_NET_ADMIN, ALL): applied to Docker's default set for every process started in it.</summary>
    public IReadOnlyList<string> CapAdd { get; init; } = [];

    public IReadOnlyList<string> CapDrop { get; init; } = [];

    /// <summary>The sandbox's main process, when Plexus started one (`plexus run`).</summary>
    public SandboxProcessState? Process { get; init; }

    public bool Pending { get; init; }
}

/// <summary>A legacy link: this sandbox reaches <see cref="Target"/> (a sandbox name) as <see cref="Alias"/>.</summary>
public sealed record SandboxLink(string Target, string Alias);

/// <summary>The main process of a sandbox: what was run, where its output goes, and its PID while alive.</summary>
public sealed record SandboxProcessState
{
    public required IReadOnlyList<string> Command { get; init; }
    public int Pid { get; init; }
    public DateTimeOffset StartedAt { get; init; }
    public string? LogPath { get; init; }
    public IReadOnlyList<string> Environment { get; init; } = [];

    /// <summary>When the process started, in clock ticks after boot (/proc/PID/stat): tells it from a later process given the same PID. 0 if unknown.</summary>
    public ulong StartTime { get; init; }

    /// <summary>How it ended, once it has and the daemon saw it end (its own child); null while running or unknown.</summary>
    public int? ExitCode { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }
}
