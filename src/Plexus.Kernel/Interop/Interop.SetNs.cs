using System.Runtime.InteropServices;

namespace Plexus.Kernel.Interop;

internal static partial class Libc
{
    internal const int CLONE_NEWNET = 0x40000000;

    /// <summary>Moves the calling thread (only) into the namespace the descriptor names.</summary>
    [LibraryImport(Name, EntryPoint = "setns", SetLastError = true)]
    internal static partial int SetNs(SafeFileDescriptor fd, int nsType);

    [LibraryImport(Name, EntryPoint = "unshare", SetLastError = true)]
    internal static partial int Unshare(int flags);
}
