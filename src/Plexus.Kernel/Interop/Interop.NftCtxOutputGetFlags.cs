using System.Runtime.InteropServices;

namespace Plexus.Kernel.Interop;

internal static partial class LibNftables
{
    [LibraryImport(Name, EntryPoint = "nft_ctx_output_get_flags")]
    internal static partial uint CtxOutputGetFlags(SafeNftContextHandle ctx);
}
