using System.Runtime.InteropServices;

namespace Plexus.Kernel.Interop;

/// <summary>An owned file descriptor (socket, namespace handle) closed exactly once.</summary>
internal sealed class SafeFileDescriptor : SafeHandle
{
    public SafeFileDescriptor() : base(-1, ownsHandle: true) { }

    public SafeFileDescriptor(int fd) : base(-1, ownsHandle: true) => SetHandle(fd);

    public override bool IsInvalid => handle < 0;

    public int Value => (int)handle;

    protected override bool ReleaseHandle() => Libc.Close((int)handle) == 0;
}
