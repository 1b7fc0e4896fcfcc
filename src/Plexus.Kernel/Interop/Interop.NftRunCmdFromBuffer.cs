using System.Runtime.InteropServices;

namespace Plexus.Kernel.Interop;

internal static partial class LibNftables
{
    /// <summary>Parses and runs a whole script as one netlink batch (one kernel transaction); 0 on success.</summary>
    [LibraryImport(Name, EntryPoint = "nft_run_cmd_from_buffer", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int RunCmdFromBuffer(SafeNftContextHandle ctx, string buffer);
}
