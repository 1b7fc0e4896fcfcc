namespace Plexus.Kernel.Interop;

/// <summary>
/// P/Invokes into the C library, one native function per file, as dotnet/runtime does.
/// Every call that can fail sets errno; callers turn it into a typed error where they know the object.
/// </summary>
internal static partial class Libc
{
    internal const string Name = "libc";
}
