using Plexus.Engine.Controller;

namespace Plexus.Engine.UseCases;

/// <summary>Everything `plexus run` / `plexus create` asks for: the sandbox, the network it joins, its process.</summary>
public sealed record SandboxRunRequest
{
    public required SandboxCreateRequest Sandbox { get; init; }

    /// <summary>The network to join (id or name; "none" is the null network), or null to join none.</summary>
    public string? Network { get; init; }

    /// <summary>The endpoint on <see cref="Network"/>: addresses, aliases, published and exposed ports.</summary>
    public EndpointCreateRequest Endpoint { get; init; } = new();

    /// <summary>The main process's command line; empty starts none.</summary>
    public IReadOnlyList<string> Command { get; init; } = [];

    /// <summary>NAME=VALUE assignments for the main process.</summary>
    public IReadOnlyList<string> Environment { get; init; } = [];
}
