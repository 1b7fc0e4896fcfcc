using System.Runtime.InteropServices;

namespace Plexus.Kernel.Interop;

internal static partial class Libc
{
    internal const int O_RDONLY = 0;
    internal const int O_CREAT = 0x40;
    internal const int O_EXCL = 0x80;
    internal const int O_CLOEXEC = 0x80000;

    /// <summary>Locates a file without opening it: never blocks (a FIFO without a writer) and runs no driver's open.</summary>
    internal const int O_PATH = 0x200000;

    [LibraryImport(Name, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Open(string path, int flags, int mode);
}
