namespace Plexus.Engine.Model;

/// <summary>
/// Who owns an object that Plexus keeps but did not create for its own users: a container runtime that drives
/// Plexus through a plugin protocol (Docker's remote network and IPAM driver protocol). The owner is a label,
/// so it is stored with the record and shown by `network inspect` and `ps` without a field of its own; Plexus's
/// own API refuses to delete or change what the runtime owns, as the runtime would not know.
/// </summary>
public static class Owners
{
    /// <summary>The label that names the owner.</summary>
    public const string Label = "com.plexus.owner";

    /// <summary>Docker Engine, through plexusd's plugin socket.</summary>
    public const string Docker = "docker";

    public static bool IsDocker(IReadOnlyDictionary<string, string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        return labels.TryGetValue(Label, out var owner) && owner == Docker;
    }

    public static bool IsDocker(NetworkState network)
    {
        ArgumentNullException.ThrowIfNull(network);
        return IsDocker(network.Labels);
    }

    public static bool IsDocker(SandboxState sandbox)
    {
        ArgumentNullException.ThrowIfNull(sandbox);
        return IsDocker(sandbox.Labels);
    }

    /// <summary>The labels that mark an object as Docker's.</summary>
    public static IReadOnlyDictionary<string, string> DockerLabels { get; } = new Dictionary<string, string> { [Label] = Docker };
}
