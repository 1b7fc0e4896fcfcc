using System.Runtime.InteropServices;

namespace Plexus.Kernel.Interop;

internal static partial class Libc
{
    /// <summary>fstat into a raw buffer: st_dev and st_ino are the first two 64-bit fields on x86_64 and arm64.</summary>
    [LibraryImport(Name, EntryPoint = "fstat", SetLastError = true)]
    internal static unsafe partial int FStat(SafeFileDescriptor fd, byte* statBuffer);
}
