using System.Runtime.InteropServices;
using Plexus.Engine.Model;

namespace Plexus.Daemon.Hosting;

/// <summary>
/// Hands the API socket to the group that may use it (root:GROUP, mode 0660), as dockerd does with its
/// "docker" group: members run `plexus` without root.
/// </summary>
internal static partial class SocketGroup
{
    /// <summary>
    /// The group's id, or null when the group does not exist and was not asked for by name (the default
    /// group is made by the package; a bare install has none, and then the socket stays root's).
    /// </summary>
    /// <exception cref="PlexusException">A group named with --group (or "group" in daemon.json) does not exist.</exception>
    public static uint? Resolve(string name, bool explicitlyNamed)
    {
        if (string.IsNullOrEmpty(name)) return null;
        if (uint.TryParse(name, System.Globalization.CultureInfo.InvariantCulture, out var numeric)) return numeric;
        if (FromGroupFile(name) is { } local) return local;
        // Not a local group: only a group asked for by name is looked for further (LDAP, systemd's userdb). For the
        // default group, which the package makes in /etc/group, getgrnam would load the NSS modules at every start
        // to find nothing (dlopen and 15 failed opens on a bare install).
        if (!explicitlyNamed) return null;
        var entry = GetGroupByName(name);
        if (entry != IntPtr.Zero) return (uint)Marshal.ReadInt32(entry, 2 * IntPtr.Size); // struct group: name, passwd, gid
        if (explicitlyNamed) throw PlexusException.Invalid($"group '{name}' for the socket does not exist (create it, e.g. groupadd --system {name}, or choose another with --group)");
        return null;
    }

    /// <summary>The group's id from /etc/group (name:password:gid:members), as dockerd reads it; null when it is not there.</summary>
    internal static uint? FromGroupFile(string name, string path = "/etc/group")
    {
        try
        {
            foreach (var line in File.ReadLines(path))
            {
                var fields = line.Split(':');
                if (fields.Length >= 3 && fields[0] == name
                    && uint.TryParse(fields[2], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var gid))
                    return gid;
            }
        }
        catch (IOException)
        {
            // no group file: NSS may still know the group
        }
        catch (UnauthorizedAccessException)
        {
            // likewise
        }
        return null;
    }

    /// <summary>root:GROUP on the socket.</summary>
    /// <exception cref="IOException">chown failed.</exception>
    public static void Apply(string socketPath, uint gid)
    {
        if (Chown(socketPath, 0, gid) != 0)
            throw new IOException($"cannot give the socket {socketPath} to group {gid}: errno {Marshal.GetLastPInvokeError()}");
    }

    [LibraryImport("libc", EntryPoint = "getgrnam", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr GetGroupByName(string name);

    [LibraryImport("libc", EntryPoint = "chown", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Chown(string path, uint owner, uint group);
}
