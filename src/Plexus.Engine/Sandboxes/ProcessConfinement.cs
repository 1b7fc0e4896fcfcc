namespace Plexus.Engine.Sandboxes;

/// <summary>
/// What holds a process Plexus starts in a sandbox, beyond the sandbox's network, UTS and mount namespaces:
/// a bounding set of <see cref="Capabilities"/> (Docker's default unless asked otherwise), no_new_privs, and
/// the daemon's own directories (its socket's, its data and exec roots) hidden under empty read-only mounts,
/// so the process can neither nsenter another namespace nor drive the daemon. Privileged: none of it.
/// </summary>
public sealed record ProcessConfinement
{
    /// <summary>A privileged process runs as root always has: every capability, nothing hidden.</summary>
    public static readonly ProcessConfinement Privileged = new() { IsPrivileged = true, Capabilities = [] };

    public bool IsPrivileged { get; init; }

    /// <summary>The bounding set: the process and everything it runs hold at most these.</summary>
    public IReadOnlyList<string> Capabilities { get; init; } = Sandboxes.Capabilities.Default;

    /// <summary>Directories mounted over with an empty read-only tmpfs, files with /dev/null.</summary>
    public IReadOnlyList<string> HiddenPaths { get; init; } = [];
}
