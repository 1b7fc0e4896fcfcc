using Plexus.Kernel;
using Plexus.Kernel.Rtnl;
using Xunit;

namespace Plexus.Testing;

/// <summary>
/// A test that needs the kernel (root, netlink, namespaces). It runs only inside a private network
/// namespace (scripts/test.sh makes one); anywhere else, in particular in the machine's own namespace,
/// it is skipped, so a stray `dotnet test` can never change the machine's network.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PrivilegedFactAttribute : FactAttribute
{
    public PrivilegedFactAttribute()
    {
        if (PrivateNamespace.Reason is { } reason) Skip = reason;
    }
}

public static class PrivateNamespace
{
    private static readonly Lazy<string?> Check = new(() =>
    {
        if (Environment.UserName != "root" && Environment.GetEnvironmentVariable("USER") != "root" && !IsRoot())
            return "needs root; run scripts/test.sh";
        try
        {
            using var rt = RtNetlink.Open();
            // The machine's own namespace routes to the world; a private one made by unshare has no default route.
            if (rt.ListRoutes(ipVersion: null, table: null).Exists(r => r.IsDefault && r.Type == RouteType.Unicast))
                return "runs only inside a private network namespace; run scripts/test.sh";
        }
        catch (KernelException e)
        {
            return "cannot use netlink here: " + e.Message;
        }
        return null;
    });

    public static string? Reason => Check.Value;

    private static bool IsRoot() => File.ReadAllText("/proc/self/status").Contains("\nUid:\t0\t", StringComparison.Ordinal);
}
