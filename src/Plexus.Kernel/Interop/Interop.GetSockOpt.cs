using System.Runtime.InteropServices;

namespace Plexus.Kernel.Interop;

internal static partial class Libc
{
    internal const int AF_INET = 2;
    internal const int AF_INET6 = 10;
    internal const int IPPROTO_IP = 0;
    internal const int IPPROTO_IPV6 = 41;
    internal const int IPPROTO_RAW = 255;

    /// <summary>IPT_SO_GET_INFO and IP6T_SO_GET_INFO: an x_tables table's entry count, size and hooks.</summary>
    internal const int XT_SO_GET_INFO = 64;

    [LibraryImport(Name, EntryPoint = "getsockopt", SetLastError = true)]
    internal static unsafe partial int GetSockOpt(SafeFileDescriptor fd, int level, int name, void* value, int* length);
}
