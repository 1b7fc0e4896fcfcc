using Plexus.Kernel.Firewall.Nftables;
using Plexus.Kernel.Namespaces;
using Plexus.Kernel.Rtnl;
using Plexus.Kernel.Rtnl.LinkKinds;

namespace Plexus.Kernel;

/// <summary>
/// What the kernel offers that Plexus uses, found by trying it: module lists and /sys/module miss
/// built-in drivers (this kernel has veth and nf_tables built in with no trace there). The tries happen
/// in a throwaway network namespace, so the host's own is never touched.
/// </summary>
public static class KernelFeatures
{
    public static IReadOnlyDictionary<string, bool> Probe(string scratchDirectory)
    {
        var features = new Dictionary<string, bool>(StringComparer.Ordinal)
        {
            ["br_netfilter"] = Directory.Exists("/proc/sys/net/bridge"),
            ["route_localnet"] = File.Exists("/proc/sys/net/ipv4/conf/all/route_localnet"),
        };
        var directory = new NamespaceDirectory(scratchDirectory);
        var name = $"probe-{Environment.ProcessId}";
        try
        {
            using var ns = directory.Create(name);
            using var rt = ns.OpenRtNetlink();
            features["bridge"] = Try(() => rt.CreateLink(new BridgeSpec("probe-br")));
            features["veth"] = Try(() => rt.CreateLink(new VethSpec("probe-va", "probe-vb")));
            features["vxlan"] = Try(() => rt.CreateLink(new VxlanSpec("probe-vx", 42) { Port = 4789 }));
            features["macvlan"] = features["veth"] && Try(() => rt.CreateLink(new MacvlanSpec("probe-mv", rt.GetLink("probe-va").Index)));
            features["dummy"] = Try(() => rt.CreateLink(new DummySpec("probe-dm")));
            features["vlan"] = Ask(() => rt.HasLinkKind("vlan"));
            features["ipvlan"] = Ask(() => rt.HasLinkKind("ipvlan"));
            features["nf_tables"] = Try(() =>
            {
                using var nft = NftContext.Open(ns);
                nft.Run("add table inet plexus-probe", "probe nf_tables");
            });
        }
        catch (KernelException)
        {
            features["namespaces"] = false;
        }
        finally
        {
            if (directory.Exists(name)) directory.Delete(name);
            if (!directory.List().Any() && Directory.Exists(directory.Root)) directory.Release();
        }
        return features;
    }

    /// <summary>A probe's answer, or false when the kernel refused the question itself.</summary>
    private static bool Ask(Func<bool> probe)
    {
        try
        {
            return probe();
        }
        catch (KernelException)
        {
            return false;
        }
    }

    private static bool Try(Action action)
    {
        try
        {
            action();
            return true;
        }
        catch (Exception e) when (e is KernelException or DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }
}
