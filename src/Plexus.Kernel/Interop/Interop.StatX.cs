using System.Runtime.InteropServices;

namespace Plexus.Kernel.Interop;

internal static partial class Libc
{
    internal const int AT_EMPTY_PATH = 0x1000;
    internal const uint STATX_TYPE = 0x1;

    /// <summary>Offset of stx_mode (u16) in struct statx, whose layout is the same on every architecture.</summary>
    internal const int StatxModeOffset = 28;

    internal const int S_IFMT = 0xF000;
    internal const int S_IFIFO = 0x1000;
    internal const int S_IFCHR = 0x2000;
    internal const int S_IFDIR = 0x4000;
    internal const int S_IFBLK = 0x6000;
    internal const int S_IFREG = 0x8000;
    internal const int S_IFLNK = 0xA000;
    internal const int S_IFSOCK = 0xC000;

    /// <summary>statx into a raw buffer of at least 256 bytes; with AT_EMPTY_PATH and "" it describes <paramref name="dirfd"/> itself.</summary>
    [LibraryImport(Name, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static unsafe partial int StatX(SafeFileDescriptor dirfd, string path, int flags, uint mask, byte* statxBuffer);
}
