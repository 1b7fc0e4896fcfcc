using System.Runtime.InteropServices;

namespace Plexus.Kernel.Interop;

internal static partial class Libc
{
    /// <summary>f_type of nsfs, the file system of namespace files (/proc/PID/ns/*, and bind mounts of them).</summary>
    internal const long NSFS_MAGIC = 0x6e736673;

    /// <summary>fstatfs into a raw buffer: f_type is the first field, a 64-bit word on x86_64 and arm64.</summary>
    [LibraryImport(Name, EntryPoint = "fstatfs", SetLastError = true)]
    internal static unsafe partial int FStatFs(SafeFileDescriptor fd, byte* statfsBuffer);
}
