using System.Text;

namespace Plexus.Kernel.Rtnl;

/// <summary>Linux interface names: 1 to 15 bytes, no '/', ':' or whitespace, not "." or "..".</summary>
public static class InterfaceName
{
    private static readonly System.Buffers.SearchValues<char> Forbidden = System.Buffers.SearchValues.Create("/: \t\n\r");

    public const int MaxLength = 15;

    public static string Validate(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        int bytes = Encoding.UTF8.GetByteCount(name);
        if (bytes == 0)
            throw new ArgumentException("an interface name cannot be empty", nameof(name));
        if (bytes > MaxLength)
            throw new ArgumentException($"interface name '{name}' is {bytes} bytes long; Linux allows at most {MaxLength}", nameof(name));
        if (name is "." or ".." || name.AsSpan().IndexOfAny(Forbidden) >= 0)
            throw new ArgumentException($"interface name '{name}' is not valid: it may not be '.' or '..' or contain '/', ':' or whitespace", nameof(name));
        return name;
    }
}
