namespace Plexus.Engine.Sandboxes;

/// <summary>
/// Which of the daemon's paths a confined process must not see: its socket's directory (the socket is
/// root's, and root in a sandbox is still root to the file's permissions), its data root (the store) and its
/// exec root (other sandboxes' files and namespaces). A directory is hidden whole, so the mask outlives a
/// daemon restart that recreates the socket; one that is shared with the rest of the system (/run, /var/lib,
/// /tmp) is not, and a socket placed directly in such a directory is hidden as a file instead.
/// </summary>
public static class HiddenPaths
{
    /// <summary>Directories every program needs: hiding one would break the process, not the daemon.</summary>
    private static readonly HashSet<string> Shared = new(StringComparer.Ordinal)
    {
        "/", "/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/lib32", "/lib64", "/media", "/mnt", "/opt", "/proc",
        "/root", "/run", "/sbin", "/srv", "/sys", "/tmp", "/usr", "/var", "/var/lib", "/var/run", "/var/tmp", "/run/user",
    };

    /// <summary>The paths to hide, outermost first, none inside another.</summary>
    public static IReadOnlyList<string> For(string? socketPath, string dataRoot, string execRoot)
    {
        var directories = new List<string>();
        string? socketFile = null;
        if (socketPath is { Length: > 0 })
        {
            var full = Path.GetFullPath(socketPath);
            if (Path.GetDirectoryName(full) is { } dir && !Shared.Contains(dir)) directories.Add(dir);
            else socketFile = full;
        }
        foreach (var root in new[] { dataRoot, execRoot })
        {
            if (string.IsNullOrEmpty(root)) continue;
            var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
            if (!Shared.Contains(full)) directories.Add(full);
        }
        var outermost = directories.Distinct(StringComparer.Ordinal)
            .Where(d => !directories.Exists(o => o != d && IsInside(d, o)))
            .OrderBy(d => d, StringComparer.Ordinal)
            .ToList();
        if (socketFile is not null && !outermost.Exists(d => IsInside(socketFile, d))) outermost.Add(socketFile);
        return outermost;
    }

    private static bool IsInside(string path, string directory) =>
        path.StartsWith(directory.EndsWith('/') ? directory : directory + "/", StringComparison.Ordinal);
}
