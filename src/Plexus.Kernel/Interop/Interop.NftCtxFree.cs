using System.Runtime.InteropServices;

namespace Plexus.Kernel.Interop;

internal static partial class LibNftables
{
    [LibraryImport(Name, EntryPoint = "nft_ctx_free")]
    internal static partial void CtxFree(IntPtr ctx);
}
