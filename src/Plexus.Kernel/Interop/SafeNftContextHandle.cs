using System.Runtime.InteropServices;

namespace Plexus.Kernel.Interop;

/// <summary>An nft_ctx, freed exactly once.</summary>
internal sealed class SafeNftContextHandle : SafeHandle
{
    public SafeNftContextHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        LibNftables.CtxFree(handle);
        return true;
    }
}
