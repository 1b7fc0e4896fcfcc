using System.Globalization;
using Plexus.Engine.Model;

namespace Plexus.Engine.Sandboxes;

/// <summary>
/// Linux capabilities by name, Docker's default set for containers, and Docker's rules for combining it with
/// --cap-add, --cap-drop and --privileged (moby's caps.TweakCapabilities): names are case-insensitive and
/// take CAP_ or not; ALL in --cap-add means every capability but those dropped, ALL in --cap-drop means only
/// those added.
/// </summary>
public static class Capabilities
{
    public const string All = "ALL";

    /// <summary>By number, as in linux/capability.h.</summary>
    private static readonly string[] Names =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID",
        "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN",
        "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
        "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME",
        "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP",
        "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ",
        "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
    ];

    /// <summary>
    /// Docker's default set (moby oci/caps/defaults.go): enough to serve on low ports, ping, change owners and
    /// users; not NET_ADMIN (the sandbox's own interfaces and routes), SYS_ADMIN (mount, setns: nsenter), or
    /// SYS_PTRACE and SYS_MODULE.
    /// </summary>
    public static readonly IReadOnlyList<string> Default =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID",
        "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
    ];

    /// <summary>The capabilities this kernel has (up to /proc/sys/kernel/cap_last_cap).</summary>
    public static IReadOnlyList<string> Available { get; } = Names[..(LastCap() + 1)];

    /// <summary>Upper case with CAP_ in front, or ALL; an unknown or unavailable name is a 400 naming it, as in Docker.</summary>
    public static IReadOnlyList<string> Normalize(IEnumerable<string> names, string what)
    {
        ArgumentNullException.ThrowIfNull(names);
        var result = new List<string>();
        foreach (var raw in names)
        {
            var name = raw.Trim().ToUpperInvariant();
            if (name == All)
            {
                result.Add(All);
                continue;
            }
            if (!name.StartsWith("CAP_", StringComparison.Ordinal)) name = "CAP_" + name;
            if (!Names.Contains(name, StringComparer.Ordinal))
                throw PlexusException.Invalid($"invalid {what}: unknown capability: \"{name}\"");
            if (!Available.Contains(name, StringComparer.Ordinal))
                throw PlexusException.Invalid($"invalid {what}: capability not supported by your kernel or not available in the current environment: \"{name}\"");
            if (!result.Contains(name, StringComparer.Ordinal)) result.Add(name);
        }
        return result;
    }

    /// <summary>The set a process gets, in capability order (Docker's TweakCapabilities).</summary>
    public static IReadOnlyList<string> Effective(IReadOnlyList<string> add, IReadOnlyList<string> drop, bool privileged)
    {
        ArgumentNullException.ThrowIfNull(add);
        ArgumentNullException.ThrowIfNull(drop);
        IEnumerable<string> set = privileged ? Available
            : add.Contains(All) ? Available.Where(c => !drop.Contains(c))
            : drop.Contains(All) ? add
            : Default.Where(c => !drop.Contains(c)).Concat(add);
        return [.. set.Distinct().OrderBy(c => Array.IndexOf(Names, c))];
    }

    /// <summary>setpriv's spelling of a bounding set holding exactly <paramref name="set"/>: -all,+chown,+kill.</summary>
    public static string BoundingSetArgument(IReadOnlyList<string> set)
    {
        ArgumentNullException.ThrowIfNull(set);
        return string.Join(',', ["-all", .. set.Select(c => "+" + c["CAP_".Length..].ToLowerInvariant())]);
    }

    private static int LastCap()
    {
        try
        {
            return int.TryParse(File.ReadAllText("/proc/sys/kernel/cap_last_cap").Trim(), CultureInfo.InvariantCulture, out var last)
                ? Math.Clamp(last, 0, Names.Length - 1)
                : Names.Length - 1;
        }
        catch (IOException)
        {
            return Names.Length - 1;
        }
    }
}
