using System.Runtime.InteropServices;

namespace Plexus.Kernel.Interop;

internal static partial class LibNftables
{
    [LibraryImport(Name, EntryPoint = "nft_ctx_new")]
    internal static partial SafeNftContextHandle CtxNew(uint flags);
}
