using System.Runtime.InteropServices;

namespace Plexus.Testing;

/// <summary>
/// Mounts a test's real runtime made under its own directory (podman's overlay storage bind-mounts its home onto
/// itself; dockerd mounts its data root) and did not take down: detach them, deepest first, so the directory can be
/// deleted and the run's leak check finds nothing.
/// </summary>
public static class Mounts
{
    private const int MNT_DETACH = 2;

    [DllImport("libc", EntryPoint = "umount2", SetLastError = true)]
    private static extern int Umount2([MarshalAs(UnmanagedType.LPUTF8Str)] string target, int flags);

    /// <summary>Mount points at or below <paramref name="dir"/> in this mount namespace, deepest first.</summary>
    public static IReadOnlyList<string> Under(string dir)
    {
        dir = Path.GetFullPath(dir).TrimEnd('/');
        var found = new List<string>();
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            // Field 5 is the mount point, with space, tab, newline and backslash octal-escaped.
            var fields = line.Split(' ');
            if (fields.Length < 5)
                continue;
            var point = Unescape(fields[4]);
            if (point == dir || point.StartsWith(dir + "/", StringComparison.Ordinal))
                found.Add(point);
        }
        found.Sort((a, b) => b.Length.CompareTo(a.Length));
        return found;
    }

    /// <summary>Detaches every mount at or below <paramref name="dir"/>; returns how many it took down.</summary>
    public static int DetachUnder(string dir)
    {
        int n = 0;
        // A mount point may be mounted over more than once: go on until nothing is left or nothing moves.
        for (int round = 0; round < 8; round++)
        {
            var points = Under(dir);
            if (points.Count == 0)
                break;
            int before = n;
            foreach (var point in points)
                if (Umount2(point, MNT_DETACH) == 0)
                    n++;
            if (n == before)
                break;
        }
        return n;
    }

    private static string Unescape(string s)
    {
        if (!s.Contains('\\'))
            return s;
        var sb = new System.Text.StringBuilder(s.Length);
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == '\\' && IsOctal(s, i + 1))
            {
                sb.Append((char)Convert.ToInt32(s.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
                sb.Append(s[i]);
        }
        return sb.ToString();
    }

    private static bool IsOctal(string s, int at) =>
        at + 3 <= s.Length && s[at] is >= '0' and <= '7' && s[at + 1] is >= '0' and <= '7' && s[at + 2] is >= '0' and <= '7';
}
