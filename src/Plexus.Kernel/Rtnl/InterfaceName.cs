using System.Text;

namespace Plexus.Kernel.Rtnl;

/// <summary>Linux interface names: 1 to 15 bytes, no '/', ':', NUL or whitespace, not "." or "..".</summary>
public static class InterfaceName
{
    private static readonly System.Buffers.SearchValues<char> Forbidden = System.Buffers.SearchValues.Create("/: \t\n\v\f\r\0");

    public const int MaxLength = 15;

    public static string Validate(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        int bytes = Encoding.UTF8.GetByteCount(name);
        if (bytes == 0)
            throw new ArgumentException("an interface name cannot be empty", nameof(name));
        if (bytes > MaxLength)
            throw new ArgumentException($"interface name '{name}' is {bytes} bytes long; Linux allows at most {MaxLength}", nameof(name));
        // The kernel's isspace() reads bytes through a Latin-1 table, so byte 0xA0 of the UTF-8 form counts as a space.
        Span<byte> utf8 = stackalloc byte[MaxLength];
        if (name is "." or ".." || name.AsSpan().IndexOfAny(Forbidden) >= 0 || utf8[..Encoding.UTF8.GetBytes(name, utf8)].Contains((byte)0xA0))
            throw new ArgumentException($"interface name '{name}' is not valid: it may not be '.' or '..' or contain '/', ':', NUL or whitespace (for the kernel, also UTF-8 byte 0xA0)", nameof(name));
        return name;
    }
}
