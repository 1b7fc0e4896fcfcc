using System.Runtime.InteropServices;

namespace Plexus.Kernel.Interop;

internal static partial class LibNftables
{
    /// <summary>Collects error messages in a buffer instead of printing them; 0 on success.</summary>
    [LibraryImport(Name, EntryPoint = "nft_ctx_buffer_error")]
    internal static partial int CtxBufferError(SafeNftContextHandle ctx);
}
