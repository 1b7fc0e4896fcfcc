using Plexus.Kernel.Rtnl;

namespace Plexus.Bench.Kernel;

/// <summary>
/// The benchmark creates and deletes hundreds of links and namespaces: it must only ever do so in a private
/// network namespace (and a private mount namespace, since namespaces are bind-mounted under /run).
/// </summary>
internal static class SafetyCheck
{
    /// <summary>Why the benchmark must not run here, or null when it may.</summary>
    public static string? Refusal()
    {
        // The check SelfCheck uses: the machine's own namespace has a default route (it reaches the package
        // registries); a private namespace made with `unshare --net` has none.
        if (HasDefaultRoute())
            return "this network namespace has a default route, so it looks like the machine's own";
        // Belt and braces: being in init's namespaces means no unshare happened, default route or not.
        if (SameAsInit("net"))
            return "this process shares its network namespace with PID 1";
        if (SameAsInit("mnt"))
            return "this process shares its mount namespace with PID 1 (namespace bind mounts would land on the machine's /run)";
        return null;
    }

    private static bool HasDefaultRoute()
    {
        using var rt = RtNetlink.Open();
        return rt.ListRoutes(ipVersion: null, table: null).Exists(r => r.IsDefault && r.Type == RouteType.Unicast);
    }

    /// <summary>True when /proc/self/ns/KIND and /proc/1/ns/KIND name the same namespace; false if unreadable.</summary>
    private static bool SameAsInit(string kind)
    {
        try
        {
            var self = new FileInfo($"/proc/self/ns/{kind}").LinkTarget;
            var init = new FileInfo($"/proc/1/ns/{kind}").LinkTarget;
            return self is not null && self == init;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
