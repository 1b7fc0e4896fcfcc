using Plexus.Engine.Model;

namespace Plexus.Engine.Drivers;

/// <summary>
/// A driver that can change a joined endpoint's published ports without a new join: a runtime that publishes
/// ports after the join (Docker's ProgramExternalConnectivity) needs it. Drivers that publish ports only at join
/// do not implement it.
/// </summary>
public interface IPortPublishingDriver
{
    /// <summary>Makes the joined endpoint's published ports those of <paramref name="after"/> (in one firewall change where the backend can).</summary>
    void SetPorts(NetworkState network, EndpointState before, EndpointState after);
}
