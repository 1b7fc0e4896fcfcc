using Plexus.Kernel;
using Plexus.Kernel.Rtnl;
using Plexus.Kernel.Rtnl.LinkKinds;

namespace Plexus.Bench.Kernel;

/// <summary>How <see cref="KernelAttacher"/> orders its requests.</summary>
internal enum KernelAttachMode
{
    /// <summary>"plexus": the namespace's socket is opened on a namespace worker while the host creates the veth pair.</summary>
    Overlapped,

    /// <summary>"plexus-serial": the socket is opened after the veth pair, as SelfCheck and the README do.</summary>
    Serial,

    /// <summary>
    /// "plexus-split": overlapped, but the veth pair is created alone and made a bridge port and brought up by
    /// a second request, so the bridge's own cost of adding a port shows as a step of its own (diagnostic).
    /// </summary>
    Split,
}

/// <summary>
/// The attach done in process through Plexus.Kernel: one rtnetlink request per step, from the host for the
/// veth pair and on a socket opened inside the sandbox's namespace for the rest.
/// </summary>
internal sealed class KernelAttacher(RtNetlink host, KernelAttachMode mode) : IAttacher
{
    /// <summary>
    /// The kernel gives the loopback device index 1 in every network namespace (LOOPBACK_IFINDEX), so
    /// bringing lo up needs no lookup.
    /// </summary>
    public const int LoopbackIndex = 1;

    /// <summary>Requests per plexus attach: create veth, lo up, find eth0, eth0 up, add address, add route.</summary>
    public const int Requests = 6;

    /// <summary>The steps of a plexus attach that are not requests: getting the namespace's socket, and closing it.</summary>
    public static readonly int[] SocketSteps = [1, 7];

    public string Name => mode switch
    {
        KernelAttachMode.Overlapped => "plexus",
        KernelAttachMode.Serial => "plexus-serial",
        _ => "plexus-split",
    };

    public string Description => mode switch
    {
        KernelAttachMode.Overlapped => "Plexus.Kernel in process, one rtnetlink request per step; the socket in the sandbox's namespace is opened (OpenRtNetlinkAsync) while the host creates the veth pair",
        KernelAttachMode.Serial => "as plexus, but the socket in the sandbox's namespace is opened after the veth pair (as SelfCheck does)",
        _ => "as plexus, but the veth pair is created alone, then found and made a bridge port and brought up by two more requests (diagnostic: shows the bridge's cost per port)",
    };

    public IReadOnlyList<string> Steps { get; } = mode switch
    {
        KernelAttachMode.Overlapped => ["create veth (socket opening meanwhile)", "wait for the namespace's socket", "lo up", "find eth0", "eth0 up", "add address", "add default route", "close socket"],
        KernelAttachMode.Serial => ["create veth", "open rtnetlink in namespace", "lo up", "find eth0", "eth0 up", "add address", "add default route", "close socket"],
        _ => ["create veth alone (socket opening meanwhile)", "wait for the namespace's socket", "lo up", "find eth0", "eth0 up", "add address", "add default route", "close socket", "find host veth", "bridge port and up"],
    };

    public void Attach(Sandbox sandbox, Bridge bridge, StepClock clock)
    {
        var ns = sandbox.Namespace ?? throw new InvalidOperationException($"sandbox {sandbox.Number} has no namespace");
        bool split = mode == KernelAttachMode.Split;
        var opening = mode == KernelAttachMode.Serial ? null : ns.OpenRtNetlinkAsync();
        RtNetlink? inside = null;
        try
        {
            host.CreateLink(new VethSpec(sandbox.HostLink, Addressing.SandboxInterface)
            {
                MasterIndex = split ? null : bridge.Index,
                Up = !split,
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
        if (split)
        {
            // Last, so the steps before it match plexus's; the sandbox is complete once its port forwards.
            int hostIndex = host.GetLink(sandbox.HostLink).Index;
            clock.Mark();
            host.SetLink(hostIndex, new LinkChanges { MasterIndex = bridge.Index, Up = true });
            clock.Mark();
        }
    }

    public void Detach(Sandbox sandbox) => host.DeleteLink(sandbox.HostLink);
}
