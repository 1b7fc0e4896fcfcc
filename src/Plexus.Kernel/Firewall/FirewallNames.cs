using System.Net;
using System.Net.Sockets;

namespace Plexus.Kernel.Firewall;

/// <summary>
/// Checks on the names that end up inside rules. Tags and interface names are written into nft scripts and
/// iptables-restore input, inside quotes and chain names, so only characters that need no escaping in
/// either language are allowed; anything else is refused up front rather than quoted.
/// </summary>
public static class FirewallNames
{
    /// <summary>Longest tag: a Docker object id is 64 hex characters.</summary>
    public const int MaxTagLength = 64;

    public static string Tag(string tag, string what)
    {
        ArgumentNullException.ThrowIfNull(tag);
        if (tag.Length == 0 || tag.Length > MaxTagLength || !tag.All(IsPlain))
            throw new ArgumentException(
                $"{what} tag '{tag}' cannot label firewall rules: use 1 to {MaxTagLength} letters, digits, '-', '_' or '.'", nameof(tag));
        return tag;
    }

    /// <summary>An interface name that can stand in rules unquoted and quoted alike.</summary>
    public static string Interface(string name, string what)
    {
        Rtnl.InterfaceName.Validate(name);
        if (!name.All(IsPlain))
            throw new ArgumentException(
                $"{what} '{name}' cannot be used in firewall rules: use letters, digits, '-', '_' or '.'", nameof(name));
        return name;
    }

    public static int Port(int port, string what) =>
        port is >= 1 and <= 65535 ? port
            : throw new ArgumentOutOfRangeException(what, port, $"{what} {port} is not a port number (1 to 65535)");

    /// <summary>An IPv4 or IPv6 unicast address without a scope; IPv4-mapped IPv6 is refused to keep families apart.</summary>
    public static IPAddress Address(IPAddress address, string what)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
            throw new ArgumentException($"{what} {address} is neither IPv4 nor IPv6", what);
        if (address.AddressFamily == AddressFamily.InterNetworkV6 && (address.ScopeId != 0 || address.IsIPv4MappedToIPv6))
            throw new ArgumentException($"{what} {address} must be a plain IPv6 address (no scope, not IPv4-mapped)", what);
        return address;
    }

    private static bool IsPlain(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.';
}
