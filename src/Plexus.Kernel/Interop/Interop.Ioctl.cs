using System.Runtime.InteropServices;

namespace Plexus.Kernel.Interop;

internal static partial class Libc
{
    /// <summary>_IO(0xb7, 0x3): the CLONE_NEW* type of the namespace an nsfs descriptor refers to (Linux 4.11).</summary>
    internal const ulong NS_GET_NSTYPE = 0xb703;


    [LibraryImport(Name, EntryPoint = "ioctl", SetLastError = true)]
    internal static partial int Ioctl(SafeFileDescriptor fd, ulong request);
}
