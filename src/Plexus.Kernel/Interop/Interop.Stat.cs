using System.Runtime.InteropServices;

namespace Plexus.Kernel.Interop;

internal static partial class Libc
{
    /// <summary>stat into a raw buffer: st_dev and st_ino are the first two 64-bit fields on x86_64 and arm64.</summary>
    [LibraryImport(Name, EntryPoint = "stat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static unsafe partial int Stat(string path, byte* statBuffer);
}
