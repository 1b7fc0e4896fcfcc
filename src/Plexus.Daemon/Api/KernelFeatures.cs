using Plexus.Api;

namespace Plexus.Daemon.Api;

/// <summary>What the kernel offers that Plexus uses, for `plexus info`.</summary>
internal static class KernelFeatures
{
    public static Dictionary<string, bool> Probe() => new()
    {
        ["bridge"] = Directory.Exists("/sys/class/net") && (Built("bridge") || Directory.Exists("/sys/module/bridge")),
        ["veth"] = Built("veth") || Directory.Exists("/sys/module/veth"),
        ["nf_tables"] = Directory.Exists("/sys/module/nf_tables") || File.Exists("/proc/net/netfilter/nf_tables") || Built("nf_tables"),
        ["br_netfilter"] = File.Exists("/proc/sys/net/bridge/bridge-nf-call-iptables"),
        ["route_localnet"] = File.Exists("/proc/sys/net/ipv4/conf/all/route_localnet"),
        ["vxlan"] = Built("vxlan") || Directory.Exists("/sys/module/vxlan"),
    };

    /// <summary>Built into the kernel (modules.builtin) or loadable.</summary>
    private static bool Built(string module)
    {
        try
        {
            var release = File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
            var dir = $"/lib/modules/{release}";
            if (File.Exists($"{dir}/modules.builtin") && File.ReadLines($"{dir}/modules.builtin").Any(l => l.EndsWith($"/{module}.ko", StringComparison.Ordinal)))
                return true;
            return File.Exists($"{dir}/modules.dep") && File.ReadLines($"{dir}/modules.dep").Any(l => l.Contains($"/{module}.ko", StringComparison.Ordinal));
        }
        catch (IOException)
        {
            return false;
        }
    }
}
