using Plexus.Engine.Drivers.Bridge;

namespace Plexus.Engine.Controller;

/// <summary>The daemon's settings that the engine uses.</summary>
public sealed record ControllerOptions
{
    /// <summary>Persistent state (the store). dockerd's --data-root.</summary>
    public string DataRoot { get; init; } = "/var/lib/plexus";

    /// <summary>Runtime state: namespaces, sandbox files. dockerd's --exec-root.</summary>
    public string ExecRoot { get; init; } = "/run/plexus";

    /// <summary>Upstream DNS servers for sandboxes that name none (--dns); empty means the host's.</summary>
    public IReadOnlyList<string> DefaultDns { get; init; } = [];

    public BridgeOptions.Defaults BridgeDefaults { get; init; } = new();

    /// <summary>
    /// Paths that processes started in sandboxes must not see (<see cref="Sandboxes.HiddenPaths"/>): the daemon
    /// sets its socket's directory, data root and exec root. Empty for an engine used on its own.
    /// </summary>
    public IReadOnlyList<string> HiddenPaths { get; init; } = [];

    public string NamespaceDirectory => Path.Combine(ExecRoot, "netns");

    public string SandboxFilesDirectory => Path.Combine(ExecRoot, "sandboxes");
}
