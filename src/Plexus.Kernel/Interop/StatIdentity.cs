namespace Plexus.Kernel.Interop;

/// <summary>
/// A file's identity as stat(2) gives it: device and inode, equal for two names or handles of one file (for a
/// namespace file, of one namespace). Both count: an inode number is unique only within its device.
/// </summary>
internal static class StatIdentity
{
    /// <summary>st_dev and st_ino of the file at <paramref name="path"/> (links followed); null when it cannot be read.</summary>
    public static unsafe (ulong Device, ulong Inode)? Of(string path)
    {
        byte* stat = stackalloc byte[256];
        return Libc.Stat(path, stat) == 0 ? Read(stat) : null;
    }

    /// <summary>st_dev and st_ino of an open file; null when fstat fails (errno says why).</summary>
    public static unsafe (ulong Device, ulong Inode)? Of(SafeFileDescriptor handle)
    {
        byte* stat = stackalloc byte[256];
        return Libc.FStat(handle, stat) == 0 ? Read(stat) : null;
    }

    /// <summary>x86-64 and arm64 struct stat both begin with st_dev, then st_ino, each 8 bytes.</summary>
    private static unsafe (ulong, ulong) Read(byte* stat) => (*(ulong*)stat, *(ulong*)(stat + 8));
}
