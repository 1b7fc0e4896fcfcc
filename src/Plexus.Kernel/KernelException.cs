using Plexus.Kernel.Interop;

namespace Plexus.Kernel;

/// <summary>
/// A kernel call failed. The message names the operation and the object ("create link 'veth1a2b'")
/// and the kernel's reason; <see cref="ErrorNumber"/> carries errno for callers that branch on it.
/// </summary>
public class KernelException : Exception
{
    public KernelException(string message) : base(message) { }

    public KernelException(string message, Exception inner) : base(message, inner) { }

    public KernelException(string operation, int errorNumber, string? detail = null)
        : base(Compose(operation, errorNumber, detail)) => ErrorNumber = errorNumber;

    public KernelException() { }

    /// <summary>errno (positive), or 0 when the failure did not come from the kernel.</summary>
    public int ErrorNumber { get; }

    private static string Compose(string operation, int errno, string? detail) =>
        detail is { Length: > 0 } ? $"{operation}: {detail} ({Errno.Name(errno)})" : $"{operation}: {Errno.Describe(errno)}";

    internal static KernelException FromErrno(string operation) => new(operation, Errno.Last);
}
