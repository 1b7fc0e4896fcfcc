using Plexus.Kernel;
using Plexus.Kernel.Namespaces;
using Plexus.Kernel.Rtnl;
using Plexus.Kernel.Rtnl.LinkKinds;

namespace Plexus.Bench.Kernel;

/// <summary>
/// What one phase needs before its timed attaches: a bridge carrying the gateway address and one empty
/// namespace per sandbox. Disposing removes everything the phase created (the veths too, if a phase
/// failed before detaching them), reporting but not stopping at what it cannot remove.
/// </summary>
internal sealed class TestBed : IDisposable
{
    private const string DefaultDisableIPv6 = "net.ipv6.conf.default.disable_ipv6";

    private readonly RtNetlink _host;
    private readonly NamespaceDirectory _namespaces;
    private bool _bridgeCreated;

    private TestBed(RtNetlink host, NamespaceDirectory namespaces, string bridgeName, List<Sandbox> sandboxes)
    {
        _host = host;
        _namespaces = namespaces;
        BridgeName = bridgeName;
        Sandboxes = sandboxes;
    }

    public string BridgeName { get; }
    public int BridgeIndex { get; private set; }
    public Bridge Bridge => new(BridgeName, BridgeIndex);
    public IReadOnlyList<Sandbox> Sandboxes { get; }

    /// <param name="sandboxIpv6">
    /// False (the benchmark's default) makes the sandboxes IPv4-only, as the attach configures only IPv4:
    /// net.ipv6.conf.default.disable_ipv6=1 in each new namespace, so eth0 is born without IPv6, as Docker
    /// does for interfaces on IPv4-only networks. With IPv6 on, every eth0 that comes up sends duplicate
    /// address detection, MLD and router solicitations, which the bridge floods to every other port: kernel
    /// work that grows with N and lands on whatever attach runs at the time.
    /// </param>
    public static TestBed Create(RtNetlink host, NamespaceDirectory namespaces, string tag, int count, bool sandboxIpv6, CancellationToken cancel)
    {
        var bed = new TestBed(host, namespaces, Addressing.BridgeName(tag), Addressing.Plan(tag, count));
        try
        {
            host.CreateLink(new BridgeSpec(bed.BridgeName) { Up = true });
            bed._bridgeCreated = true;
            bed.BridgeIndex = host.GetLink(bed.BridgeName).Index;
            host.AddAddress(bed.BridgeIndex, Addressing.Gateway);
            foreach (var sandbox in bed.Sandboxes)
            {
                cancel.ThrowIfCancellationRequested();
                var ns = sandbox.Namespace = namespaces.Create(sandbox.NamespaceName);
                if (!sandboxIpv6) ns.SetSysctl(DefaultDisableIPv6, "1");
            }
            return bed;
        }
        catch
        {
            bed.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Checks, untimed, that an attach left what it should: the host side up on the bridge, and inside the
    /// namespace lo and eth0 up, the address on eth0 and the default route via the gateway.
    /// </summary>
    public void Verify(Sandbox sandbox)
    {
        var hostLink = _host.GetLink(sandbox.HostLink);
        if (!hostLink.IsUp || hostLink.MasterIndex != BridgeIndex)
            throw new InvalidOperationException($"sandbox {sandbox.Number}: host link {sandbox.HostLink} is not up on {BridgeName}");
        using var inside = sandbox.Namespace!.OpenRtNetlink();
        if (!inside.GetLink(KernelAttacher.LoopbackIndex).IsUp)
            throw new InvalidOperationException($"sandbox {sandbox.Number}: lo is not up");
        var eth0 = inside.GetLink(Addressing.SandboxInterface);
        if (!eth0.IsUp || eth0.Mac != sandbox.Mac)
            throw new InvalidOperationException($"sandbox {sandbox.Number}: eth0 is not up or has not the MAC {sandbox.Mac}");
        if (!inside.ListAddresses(eth0.Index, 4).Exists(a => a.Prefix == sandbox.Address))
            throw new InvalidOperationException($"sandbox {sandbox.Number}: eth0 lacks {sandbox.Address}");
        if (!inside.ListRoutes(4).Exists(r => r.IsDefault && Equals(r.Gateway, Addressing.Gateway.Address) && r.OutputIndex == eth0.Index))
            throw new InvalidOperationException($"sandbox {sandbox.Number}: no default route via {Addressing.Gateway.Address} dev eth0");
    }

    public void Dispose()
    {
        var problems = new List<string>();
        foreach (var sandbox in Sandboxes)
        {
            Try(problems, () =>
            {
                if (_host.FindLink(sandbox.HostLink) is not null) _host.DeleteLink(sandbox.HostLink);
            });
            if (sandbox.Namespace is { } ns)
            {
                ns.Dispose();
                sandbox.Namespace = null;
            }
            Try(problems, () =>
            {
                if (_namespaces.Exists(sandbox.NamespaceName)) _namespaces.Delete(sandbox.NamespaceName);
            });
        }
        if (_bridgeCreated)
        {
            Try(problems, () =>
            {
                if (_host.FindLink(BridgeName) is not null) _host.DeleteLink(BridgeName);
            });
            _bridgeCreated = false;
        }
        foreach (var problem in problems.Take(5))
            Console.Error.WriteLine($"plexus-bench-kernel: cleanup: {problem}");
        if (problems.Count > 5)
            Console.Error.WriteLine($"plexus-bench-kernel: cleanup: ... and {problems.Count - 5} more");
    }

    private static void Try(List<string> problems, Action action)
    {
        try
        {
            action();
        }
        catch (Exception e) when (e is KernelException or IOException or UnauthorizedAccessException)
        {
            problems.Add(e.Message);
        }
    }
}
