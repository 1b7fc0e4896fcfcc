using Plexus.Kernel;
using Plexus.Kernel.Rtnl;
using Plexus.Kernel.Rtnl.LinkKinds;

namespace Plexus.Bench.Kernel;

/// <summary>
/// The attach done in process through Plexus.Kernel: one rtnetlink request per step, from the host for the
/// veth pair and on a socket opened inside the sandbox's namespace for the rest.
/// <para>
/// Overlapped (the "plexus" method): the socket in the namespace is opened on a namespace worker while the
/// host creates the veth pair, so the hand-over to the worker costs nothing. Serial ("plexus-serial"): the
/// socket is opened after the veth pair, as SelfCheck and the README do; it shows what the overlap saves.
/// </para>
/// </summary>
internal sealed class KernelAttacher(RtNetlink host, bool overlap) : IAttacher
{
    /// <summary>
    /// The kernel gives the loopback device index 1 in every network namespace (LOOPBACK_IFINDEX), so
    /// bringing lo up needs no lookup.
    /// </summary>
    public const int LoopbackIndex = 1;

    /// <summary>Requests per attach: create veth, lo up, find eth0, eth0 up, add address, add route.</summary>
    public const int Requests = 6;

    /// <summary>The steps that are not requests: getting the namespace's socket, and closing it.</summary>
    public static readonly int[] SocketSteps = [1, 7];

    public string Name => overlap ? "plexus" : "plexus-serial";

    public string Description => overlap
        ? "Plexus.Kernel in process, one rtnetlink request per step; the socket in the sandbox's namespace is opened (OpenRtNetlinkAsync) while the host creates the veth pair"
        : "Plexus.Kernel in process, one rtnetlink request per step; the socket in the sandbox's namespace is opened after the veth pair (as SelfCheck does)";

    public IReadOnlyList<string> Steps { get; } = overlap
        ? ["create veth (socket opening meanwhile)", "wait for the namespace's socket", "lo up", "find eth0", "eth0 up", "add address", "add default route", "close socket"]
        : ["create veth", "open rtnetlink in namespace", "lo up", "find eth0", "eth0 up", "add address", "add default route", "close socket"];

    public void Attach(Sandbox sandbox, int bridgeIndex, StepClock clock)
    {
        var ns = sandbox.Namespace ?? throw new InvalidOperationException($"sandbox {sandbox.Number} has no namespace");
        var opening = overlap ? ns.OpenRtNetlinkAsync() : null;
        RtNetlink? inside = null;
        try
        {
            host.CreateLink(new VethSpec(sandbox.HostLink, Addressing.SandboxInterface)
            {
                MasterIndex = bridgeIndex,
                Up = true,
                PeerNamespace = ns,
                PeerMac = sandbox.Mac,
            });
            clock.Mark();
            inside = opening is null ? ns.OpenRtNetlink() : opening.GetAwaiter().GetResult();
            clock.Mark();
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
            if (inside is null && opening is not null)
            {
                // Creating the veth failed while the socket was on its way: close it when it arrives.
                try
                {
                    inside = opening.GetAwaiter().GetResult();
                }
                catch (KernelException)
                {
                    // the socket never opened; the veth's error is the one to report
                }
            }
            inside?.Dispose();
        }
        clock.Mark();
    }

    public void Detach(Sandbox sandbox) => host.DeleteLink(sandbox.HostLink);
}
