using System.Globalization;
using Plexus.Kernel.Rtnl;

namespace Plexus.Bench.Kernel;

/// <summary>
/// The benchmark creates and deletes hundreds of links and namespaces: it must only ever do so in a private
/// network namespace, and in a private mount namespace, since the namespaces are bind-mounted under /run.
/// Every check fails closed: a namespace that cannot be identified counts as the machine's own.
/// </summary>
internal static class SafetyCheck
{
    /// <summary>
    /// Set by bench/kernel-attach.sh before it unshares: the network and mount namespaces it started in
    /// ("net:[...] mnt:[...]"), which the program must not be in.
    /// </summary>
    public const string OuterNamespacesVariable = "PLEXUS_BENCH_OUTER_NS";

    /// <summary>Why the benchmark must not run here, or null when it may.</summary>
    public static string? Refusal()
    {
        // The check SelfCheck uses: the machine's own namespace has a default route (it reaches the package
        // registries); a private namespace made with `unshare --net` has none.
        if (HasDefaultRoute())
            return "this network namespace has a default route, so it looks like the machine's own";

        // unshare --net --mount must have happened for this process: bench/kernel-attach.sh execs its way
        // from the caller's shell to this program, so the parent is outside and in other namespaces. A
        // namespace that cannot be read counts as shared.
        var parent = ParentPid()?.ToString(CultureInfo.InvariantCulture);
        foreach (var kind in (string[])["net", "mnt"])
        {
            string? mine = NamespaceOf("self", kind), parents = parent is null ? null : NamespaceOf(parent, kind);
            if (mine is null || parents is null)
                return $"cannot tell whether this {kind} namespace is private (/proc/self/ns/{kind} or the parent's is unreadable)";
            if (mine == parents)
                return kind == "mnt"
                    ? "this process shares its mount namespace with its parent, so namespace bind mounts would land on the machine's /run"
                    : "this process shares its network namespace with its parent";
            // The runner also says where it started, which must be somewhere else again.
            var outer = Environment.GetEnvironmentVariable(OuterNamespacesVariable) ?? "";
            if (outer.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains(mine))
                return $"this is the {kind} namespace the runner started in ({mine})";
        }
        // A private mount namespace still shares the machine's files: /run must be the runner's own tmpfs,
        // or the namespace files (and /run/netns) would be created on the machine's /run.
        if (RunMount() is not ("tmpfs", RunSource))
            return $"/run is not the private tmpfs the runner mounts ({RunSource}), so namespace files would land on the machine's /run";
        return null;
    }

    /// <summary>The source name bench/kernel-attach.sh (like scripts/in-private-netns.sh) gives the tmpfs it mounts on /run.</summary>
    public const string RunSource = "plexus-run";

    /// <summary>File system type and source of the topmost mount on /run, from /proc/self/mountinfo.</summary>
    private static (string Type, string Source)? RunMount()
    {
        (string, string)? top = null;
        try
        {
            foreach (var line in File.ReadLines("/proc/self/mountinfo"))
            {
                // id parent major:minor root mount-point options [optional fields...] - type source super-options
                var fields = line.Split(' ');
                int dash = Array.IndexOf(fields, "-");
                if (fields.Length > 4 && fields[4] == "/run" && dash > 0 && dash + 2 < fields.Length)
                    top = (fields[dash + 1], fields[dash + 2]);
            }
        }
        catch (IOException)
        {
            return null;
        }
        return top;
    }

    private static bool HasDefaultRoute()
    {
        using var rt = RtNetlink.Open();
        return rt.ListRoutes(ipVersion: null, table: null).Exists(r => r.IsDefault && r.Type == RouteType.Unicast);
    }

    /// <summary>"mnt:[4026531832]" for /proc/PID/ns/KIND, or null when it cannot be read.</summary>
    private static string? NamespaceOf(string pid, string kind)
    {
        try
        {
            var target = new FileInfo($"/proc/{pid}/ns/{kind}").LinkTarget;
            return string.IsNullOrEmpty(target) ? null : target;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The parent's PID from /proc/self/stat (field 4, after the command name in parentheses).</summary>
    private static int? ParentPid()
    {
        try
        {
            var stat = File.ReadAllText("/proc/self/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out int ppid) ? ppid : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }
}
