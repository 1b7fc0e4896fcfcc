namespace Plexus.Kernel.Netlink;

/// <summary>
/// Bytes that do not form a valid netlink message or attribute (a length that runs past the end,
/// a header too short). Raised by the decoders instead of reading out of bounds.
/// </summary>
public sealed class NetlinkParseException : KernelException
{
    public NetlinkParseException(string message) : base("malformed netlink data: " + message) { }

    public NetlinkParseException() { }

    public NetlinkParseException(string message, Exception inner) : base(message, inner) { }
}
