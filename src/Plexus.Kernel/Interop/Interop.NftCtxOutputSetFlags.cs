using System.Runtime.InteropServices;

namespace Plexus.Kernel.Interop;

internal static partial class LibNftables
{
    /// <summary>Output format (JSON, handles, terse) for the following commands.</summary>
    [LibraryImport(Name, EntryPoint = "nft_ctx_output_set_flags")]
    internal static partial void CtxOutputSetFlags(SafeNftContextHandle ctx, uint flags);
}
