using System.Runtime.InteropServices;

namespace Plexus.Kernel.Interop;

internal static partial class LibNftables
{
    /// <summary>The buffered errors of the last command; owned by the context, valid until the next command.</summary>
    [LibraryImport(Name, EntryPoint = "nft_ctx_get_error_buffer")]
    internal static partial IntPtr CtxGetErrorBuffer(SafeNftContextHandle ctx);
}
