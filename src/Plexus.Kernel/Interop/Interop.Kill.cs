using System.Runtime.InteropServices;

namespace Plexus.Kernel.Interop;

internal static partial class Libc
{
    internal const int SIGKILL = 9;

    [LibraryImport(Name, EntryPoint = "kill", SetLastError = true)]
    internal static partial int Kill(int pid, int signal);
}
