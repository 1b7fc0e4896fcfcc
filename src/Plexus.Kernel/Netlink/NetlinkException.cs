namespace Plexus.Kernel.Netlink;

/// <summary>
/// The kernel answered a request with NLMSG_ERROR. Carries errno and, when the kernel gave one,
/// its extended-ack text ("Invalid prefix for given prefix length").
/// </summary>
public sealed class NetlinkException : KernelException
{
    public NetlinkException(string operation, int errorNumber, string? kernelMessage, int? attributeOffset = null)
        : base(operation, errorNumber, kernelMessage)
    {
        KernelMessage = kernelMessage;
        AttributeOffset = attributeOffset;
    }

    public NetlinkException() { }

    public NetlinkException(string message) : base(message) { }

    public NetlinkException(string message, Exception inner) : base(message, inner) { }

    /// <summary>The extended-ack message, if the kernel sent one.</summary>
    public string? KernelMessage { get; }

    /// <summary>Offset in the request of the attribute the kernel blamed, if it said.</summary>
    public int? AttributeOffset { get; }
}
