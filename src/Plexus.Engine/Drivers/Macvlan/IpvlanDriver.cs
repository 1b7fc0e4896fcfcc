using Plexus.Engine.Model;
using Plexus.Kernel.Rtnl;
using Plexus.Kernel.Rtnl.LinkKinds;

namespace Plexus.Engine.Drivers.Macvlan;

/// <summary>
/// The ipvlan driver, as Docker's: like macvlan, but every child shares the parent's MAC address (for
/// segments that allow one address per port). Many kernels have no ipvlan driver (this project's test
/// machines do not): a network is refused at creation with a clear error, found by asking the kernel once
/// (<see cref="RtNetlink.HasLinkKind"/>), and the rest of the path runs where the kernel has it.
/// </summary>
public sealed class IpvlanDriver(RtNetlink host, ParentLinks parents) : ChildLinkDriver<IpvlanOptions>(host, parents)
{
    public const string DriverName = "ipvlan";

    private readonly Lazy<bool> _supported = new(() => host.HasLinkKind("ipvlan"));

    public override string Name => DriverName;

    protected override string ChildKind => "ipvlan";

    /// <summary>Whether the kernel has the ipvlan driver (asked once, creating nothing).</summary>
    public bool IsSupported => _supported.Value;

    protected override IpvlanOptions Parse(NetworkState network) => IpvlanOptions.Parse(network);

    public override void ValidateNetwork(NetworkState network)
    {
        base.ValidateNetwork(network);
        if (!IsSupported)
            throw PlexusException.Invalid($"network {network.Name}: ipvlan is not supported by this kernel (it has no ipvlan driver); use -d macvlan");
    }

    /// <summary>In l3 modes the parent routes: there is no gateway on the segment to send to.</summary>
    protected override bool OffersGateway(NetworkState network, IpvlanOptions options) =>
        !network.Internal && options.HasParent && options.Mode == IpvlanMode.L2;

    protected override LinkSpec ChildSpec(IpvlanOptions options, EndpointState endpoint, string name, int parent) =>
        new IpvlanSpec(name, parent, options.Mode, options.Flags);
}
