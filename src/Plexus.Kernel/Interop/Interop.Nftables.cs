using System.Runtime.InteropServices;

namespace Plexus.Kernel.Interop;

/// <summary>
/// P/Invokes into libnftables (Debian's libnftables1), one function per file. A context opens its
/// netlink socket in nft_ctx_new, in the network namespace of the calling thread (tested with 1.0.6), so
/// contexts are created and used on a namespace's worker thread; see NftContext.
/// </summary>
internal static partial class LibNftables
{
    internal const string Name = "libnftables.so.1";

    internal const uint NFT_CTX_DEFAULT = 0;

    internal const uint NFT_CTX_OUTPUT_HANDLE = 1 << 3;
    internal const uint NFT_CTX_OUTPUT_JSON = 1 << 4;
    internal const uint NFT_CTX_OUTPUT_TERSE = 1 << 11;
}
