namespace Plexus.Api;

/// <summary>POST /plexus/sandboxes: create (or adopt) a sandbox, optionally join a network and start a process.</summary>
public sealed record SandboxCreateJson
{
    public string? Name { get; init; }

    /// <summary>Adopt the namespace at this path instead of creating one.</summary>
    public string? NetnsPath { get; init; }

    /// <summary>Adopt the namespace of this process (e.g. a container started with --net=none).</summary>
    public int? Pid { get; init; }

    /// <summary>Network to join: a name or id, "host", "none", or empty for no network.</summary>
    public string? Network { get; init; }

    public string? IPv4Address { get; init; }
    public string? IPv6Address { get; init; }
    public string? MacAddress { get; init; }
    public List<string>? Aliases { get; init; }

    /// <summary>-p specs: [hostIP:]hostPort[-end]:containerPort[-end][/proto].</summary>
    public List<string>? Publish { get; init; }

    /// <summary>--expose PORT[/PROTO].</summary>
    public List<string>? Expose { get; init; }

    /// <summary>--link NAME[:ALIAS].</summary>
    public List<string>? Links { get; init; }

    public string? Hostname { get; init; }
    public List<string>? Dns { get; init; }
    public List<string>? DnsSearch { get; init; }
    public List<string>? DnsOptions { get; init; }
    public List<string>? ExtraHosts { get; init; }
    public Dictionary<string, string>? Labels { get; init; }

    /// <summary>The main process; none for a sandbox that only holds the network.</summary>
    public List<string>? Cmd { get; init; }

    public List<string>? Env { get; init; }

    /// <summary>Capabilities added to Docker's default set for the sandbox's processes (NET_ADMIN, ALL), as HostConfig.CapAdd.</summary>
    public List<string>? CapAdd { get; init; }

    /// <summary>Capabilities taken from Docker's default set (NET_RAW, ALL), as HostConfig.CapDrop.</summary>
    public List<string>? CapDrop { get; init; }

    /// <summary>Every capability, no no_new_privs, and the daemon's paths visible, as HostConfig.Privileged.</summary>
    public bool? Privileged { get; init; }
}

public sealed record SandboxCreateResponseJson(string Id, List<string> Warnings);

public sealed record ExecJson
{
    public List<string>? Cmd { get; init; }
    public List<string>? Env { get; init; }

    /// <summary>Seconds to wait for the command; default 60.</summary>
    public int? Timeout { get; init; }

    /// <summary>All capabilities, no no_new_privs and nothing hidden, whatever the sandbox was started with (docker exec --privileged).</summary>
    public bool? Privileged { get; init; }
}

/// <summary>An exec's outcome: <see cref="Output"/> is stdout then stderr; the two streams also come apart.</summary>
public sealed record ExecResultJson(int ExitCode, string Output)
{
    public string? Stdout { get; init; }
    public string? Stderr { get; init; }

    /// <summary>True when a stream wrote more than the daemon keeps for a JSON answer (the text then ends with a marker saying so).</summary>
    public bool Truncated { get; init; }
}
