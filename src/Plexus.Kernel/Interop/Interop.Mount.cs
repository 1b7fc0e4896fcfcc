using System.Runtime.InteropServices;

namespace Plexus.Kernel.Interop;

internal static partial class Libc
{
    internal const ulong MS_BIND = 4096;
    internal const ulong MS_REC = 16384;
    internal const ulong MS_SHARED = 1 << 20;
    internal const int MNT_DETACH = 2;

    [LibraryImport(Name, EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Mount(string? source, string target, string? fileSystemType, ulong flags, nint data);

    [LibraryImport(Name, EntryPoint = "umount2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Umount2(string target, int flags);
}
