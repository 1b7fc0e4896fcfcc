using Plexus.Engine.Model;
using Plexus.Kernel.Rtnl;
using Plexus.Kernel.Rtnl.LinkKinds;
using Plexus.Kernel.Types;

namespace Plexus.Engine.Drivers.Macvlan;

/// <summary>
/// The macvlan driver, as Docker's: each endpoint is a macvlan child of the network's parent with a MAC
/// address of its own (derived from its IPv4 address, as Docker's), in the network's mode (bridge: children
/// of one parent reach each other inside the host; private: they do not; vepa: through the switch outside;
/// passthru: one child that takes the parent over, so the parent serves no other network). The host itself
/// does not reach its macvlan children through their parent (the kernel delivers the parent's own frames to
/// the wire, not to its children), as with Docker.
/// </summary>
public sealed class MacvlanDriver(RtNetlink host, ParentLinks parents) : ChildLinkDriver<MacvlanOptions>(host, parents)
{
    public const string DriverName = "macvlan";

    public override string Name => DriverName;

    protected override string ChildKind => "macvlan";

    protected override MacvlanOptions Parse(NetworkState network) => MacvlanOptions.Parse(network);

    protected override bool IsExclusive(MacvlanOptions options) => options.Mode == MacvlanMode.Passthru;

    protected override bool OffersGateway(NetworkState network, MacvlanOptions options) => !network.Internal && options.HasParent;

    /// <summary>A passthru child keeps the parent's address unless the user chose one, so none is derived for it.</summary>
    public override EndpointState CreateEndpoint(NetworkState network, EndpointState endpoint) => endpoint with
    {
        Mac = endpoint.Mac ?? (OptionsOf(network).Mode != MacvlanMode.Passthru && endpoint.IPv4 is { } v4 ? MacAddress.FromIPv4(v4.Address) : null),
    };

    protected override LinkSpec ChildSpec(MacvlanOptions options, EndpointState endpoint, string name, int parent) =>
        new MacvlanSpec(name, parent, options.Mode) { Mac = endpoint.Mac };
}
