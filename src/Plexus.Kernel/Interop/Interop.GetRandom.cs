using System.Runtime.InteropServices;

namespace Plexus.Kernel.Interop;

internal static partial class Libc
{
    [LibraryImport(Name, EntryPoint = "getrandom", SetLastError = true)]
    internal static unsafe partial nint GetRandom(byte* buffer, nuint length, uint flags);
}
