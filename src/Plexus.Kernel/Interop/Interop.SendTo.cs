using System.Runtime.InteropServices;

namespace Plexus.Kernel.Interop;

internal static partial class Libc
{
    [LibraryImport(Name, EntryPoint = "sendto", SetLastError = true)]
    internal static unsafe partial nint SendTo(SafeFileDescriptor fd, byte* buffer, nuint length, int flags, void* address, int addressLength);
}
