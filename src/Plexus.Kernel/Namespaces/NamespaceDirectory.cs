using Plexus.Kernel.Interop;

namespace Plexus.Kernel.Namespaces;

/// <summary>
/// Named network namespaces, each bind-mounted as a file under a runtime directory
/// (default /run/plexus/netns), the way `ip netns` keeps /run/netns.
/// </summary>
public sealed class NamespaceDirectory : INamespaceDirectory
{
    public const string DefaultRoot = "/run/plexus/netns";

    private readonly Lock _prepareLock = new();
    private bool _prepared;

    public NamespaceDirectory(string root = DefaultRoot)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Root = System.IO.Path.GetFullPath(root);
    }

    public string Root { get; }

    public string PathOf(string name) => System.IO.Path.Combine(Root, ValidateName(name));

    public bool Exists(string name) => File.Exists(PathOf(name));

    public IEnumerable<string> List() =>
        Directory.Exists(Root) ? Directory.EnumerateFiles(Root).Select(System.IO.Path.GetFileName).OfType<string>() : [];

    /// <summary>Creates a new, empty network namespace named <paramref name="name"/> and returns a handle on it.</summary>
    public NetworkNamespace Create(string name)
    {
        var path = PathOf(name);
        Prepare();
        int fd = Libc.Open(path, Libc.O_RDONLY | Libc.O_CREAT | Libc.O_EXCL | Libc.O_CLOEXEC, 0);
        if (fd < 0)
        {
            int errno = Errno.Last;
            throw new KernelException($"create network namespace '{name}'", errno,
                errno == Errno.EEXIST ? $"a namespace named '{name}' already exists ({path})" : null);
        }
        Libc.Close(fd);
        try
        {
            NamespaceThread.Shared.RunInNewNamespace(() =>
            {
                if (Libc.Mount("/proc/thread-self/ns/net", path, "none", Libc.MS_BIND, 0) != 0)
                    throw KernelException.FromErrno($"create network namespace '{name}': bind mount on {path}");
                return true;
            });
            return NetworkNamespace.OpenPath(path);
        }
        catch
        {
            Libc.Umount2(path, Libc.MNT_DETACH);
            File.Delete(path);
            throw;
        }
    }

    public NetworkNamespace Open(string name)
    {
        var path = PathOf(name);
        if (!File.Exists(path))
            throw new KernelException($"open network namespace '{name}'", Errno.ENOENT, $"no namespace named '{name}' in {Root}");
        return NetworkNamespace.OpenPath(path);
    }

    /// <summary>Unmounts and removes a named namespace. The kernel frees it once no process or handle uses it.</summary>
    public void Delete(string name)
    {
        var path = PathOf(name);
        if (!File.Exists(path))
            throw new KernelException($"delete network namespace '{name}'", Errno.ENOENT, $"no namespace named '{name}' in {Root}");
        if (Libc.Umount2(path, Libc.MNT_DETACH) != 0)
        {
            int errno = Errno.Last;
            if (errno != Errno.EINVAL) // EINVAL: not mounted (a half-created entry); just remove the file
                throw new KernelException($"delete network namespace '{name}': unmount {path}", errno);
        }
        File.Delete(path);
    }

    /// <summary>
    /// Undoes <see cref="Prepare"/> once no namespace is left: unmounts the directory's own bind mount
    /// (whichever instance made it) and removes the directory. For tests and tools that own a private root.
    /// </summary>
    public void Release()
    {
        lock (_prepareLock)
        {
            if (List().Any())
                throw new InvalidOperationException($"namespace directory {Root} still holds namespaces: {string.Join(", ", List())}");
            if (Libc.Umount2(Root, Libc.MNT_DETACH) != 0 && Errno.Last != Errno.EINVAL) // EINVAL: not a mount point
                throw KernelException.FromErrno($"release namespace directory {Root}");
            _prepared = false;
            if (Directory.Exists(Root)) Directory.Delete(Root);
        }
    }

    private static string ValidateName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0 || name.Length > 255 || name is "." or ".." || name.Contains('/', StringComparison.Ordinal) || name.Contains('\0', StringComparison.Ordinal))
            throw new ArgumentException($"namespace name '{name}' is not valid: use 1 to 255 characters without '/'", nameof(name));
        return name;
    }

    /// <summary>
    /// Makes the runtime directory a shared mount point of its own, as iproute2 does, so namespace mounts
    /// propagate to mount namespaces created later and an unmount there really releases the namespace.
    /// </summary>
    private void Prepare()
    {
        if (_prepared) return;
        lock (_prepareLock)
        {
            if (_prepared) return;
            Directory.CreateDirectory(Root);
            if (Libc.Mount("none", Root, null, Libc.MS_SHARED | Libc.MS_REC, 0) != 0)
            {
                if (Errno.Last != Errno.EINVAL)
                    throw KernelException.FromErrno($"prepare namespace directory {Root}");
                if (Libc.Mount(Root, Root, "none", Libc.MS_BIND | Libc.MS_REC, 0) != 0)
                    throw KernelException.FromErrno($"prepare namespace directory {Root}: bind mount");
                if (Libc.Mount("none", Root, null, Libc.MS_SHARED | Libc.MS_REC, 0) != 0)
                    throw KernelException.FromErrno($"prepare namespace directory {Root}: make shared");
            }
            _prepared = true;
        }
    }
}
