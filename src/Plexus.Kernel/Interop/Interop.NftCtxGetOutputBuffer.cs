using System.Runtime.InteropServices;

namespace Plexus.Kernel.Interop;

internal static partial class LibNftables
{
    /// <summary>The buffered output of the last command; owned by the context, valid until the next command.</summary>
    [LibraryImport(Name, EntryPoint = "nft_ctx_get_output_buffer")]
    internal static partial IntPtr CtxGetOutputBuffer(SafeNftContextHandle ctx);
}
