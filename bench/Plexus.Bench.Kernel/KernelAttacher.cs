using Plexus.Kernel.Rtnl;
using Plexus.Kernel.Rtnl.LinkKinds;

namespace Plexus.Bench.Kernel;

/// <summary>
/// The attach done in process through Plexus.Kernel, as SelfCheck does it: one rtnetlink request per step,
/// on a socket opened inside the sandbox's namespace for this attach.
/// </summary>
internal sealed class KernelAttacher(RtNetlink host) : IAttacher
{
    /// <summary>
    /// The kernel gives the loopback device index 1 in every network namespace (LOOPBACK_IFINDEX), so
    /// bringing lo up needs no lookup.
    /// </summary>
    public const int LoopbackIndex = 1;

    public string Name => "plexus";

    public string Description => "Plexus.Kernel in process: one rtnetlink request per step, a fresh socket in the sandbox's namespace";

    public IReadOnlyList<string> Steps { get; } =
        ["create veth", "open rtnetlink in namespace", "lo up", "find eth0", "eth0 up", "add address", "add default route", "close socket"];

    public void Attach(Sandbox sandbox, int bridgeIndex, StepClock clock)
    {
        var ns = sandbox.Namespace ?? throw new InvalidOperationException($"sandbox {sandbox.Number} has no namespace");
        host.CreateLink(new VethSpec(sandbox.HostLink, Addressing.SandboxInterface)
        {
            MasterIndex = bridgeIndex,
            Up = true,
            PeerNamespace = ns,
            PeerMac = sandbox.Mac,
        });
        clock.Mark();
        var inside = ns.OpenRtNetlink();
        clock.Mark();
        try
        {
            inside.SetUp(LoopbackIndex);
            clock.Mark();
            int eth0 = inside.GetLink(Addressing.SandboxInterface).Index;
            clock.Mark();
            inside.SetUp(eth0);
            clock.Mark();
            inside.AddAddress(eth0, sandbox.Address);
            clock.Mark();
            inside.AddRoute(Route.DefaultVia(Addressing.Gateway.Address, eth0));
            clock.Mark();
        }
        finally
        {
            inside.Dispose();
        }
        clock.Mark();
    }

    public void Detach(Sandbox sandbox) => host.DeleteLink(sandbox.HostLink);
}
