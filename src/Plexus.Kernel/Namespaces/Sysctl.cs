namespace Plexus.Kernel.Namespaces;

/// <summary>
/// Reads and writes /proc/sys. Network sysctls belong to the namespace of the thread that opens the file,
/// so call these through <see cref="NetworkNamespace.SetSysctl"/> for any namespace but the calling one.
/// </summary>
public static class Sysctl
{
    public const string IPv4Forwarding = "net.ipv4.ip_forward";
    public const string IPv6Forwarding = "net.ipv6.conf.all.forwarding";

    public static string RouteLocalnet(string device) => $"net/ipv4/conf/{device}/route_localnet";

    public static string AcceptRouterAdvertisements(string device) => $"net/ipv6/conf/{device}/accept_ra";

    public static string DisableIPv6(string device) => $"net/ipv6/conf/{device}/disable_ipv6";

    /// <summary>Dotted keys ("net.ipv4.ip_forward") or slashed paths ("net/ipv4/conf/eth0.5/forwarding").</summary>
    public static string PathOf(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var relative = key.Contains('/', StringComparison.Ordinal) ? key : key.Replace('.', '/');
        if (relative.Contains("..", StringComparison.Ordinal) || relative.StartsWith('/'))
            throw new ArgumentException($"sysctl key '{key}' is not valid", nameof(key));
        return "/proc/sys/" + relative;
    }

    public static void Write(string key, string value)
    {
        var path = PathOf(key);
        try
        {
            File.WriteAllText(path, value);
        }
        catch (FileNotFoundException)
        {
            throw new KernelException($"set sysctl {key}={value}: no such sysctl in this namespace ({path})");
        }
        catch (DirectoryNotFoundException)
        {
            throw new KernelException($"set sysctl {key}={value}: no such sysctl in this namespace ({path})");
        }
        catch (IOException e)
        {
            throw new KernelException($"set sysctl {key}={value}: {e.Message}", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new KernelException($"set sysctl {key}={value}: permission denied (run as root)", e);
        }
    }

    public static string Read(string key)
    {
        var path = PathOf(key);
        try
        {
            return File.ReadAllText(path).TrimEnd('\n');
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new KernelException($"read sysctl {key}: no such sysctl in this namespace ({path})");
        }
    }
}
