using System.Runtime.InteropServices;

namespace Plexus.Kernel.Interop;

internal static partial class LibNftables
{
    /// <summary>Collects output in a buffer instead of printing it; 0 on success.</summary>
    [LibraryImport(Name, EntryPoint = "nft_ctx_buffer_output")]
    internal static partial int CtxBufferOutput(SafeNftContextHandle ctx);
}
