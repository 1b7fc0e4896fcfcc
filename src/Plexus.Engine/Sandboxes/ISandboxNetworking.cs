using Plexus.Engine.Drivers;
using Plexus.Engine.Model;

namespace Plexus.Engine.Sandboxes;

/// <summary>
/// What the controller itself does to a sandbox's network stack, around the drivers' work: loopback up at
/// creation, the joined interface's addresses and routes, default routes, and moving an interface a driver made
/// on the host in and out (<see cref="KernelSandboxNetworking"/>, over rtnetlink and sysctls). An interface so
/// the controller's join and leave, with their rollbacks, can be unit-tested without root.
/// </summary>
public interface ISandboxNetworking
{
    /// <summary>A namespace just made or adopted (not the host's): loopback up; for one Plexus owns, IPv6 off on new interfaces.</summary>
    void Prepare(Sandbox sandbox);

    /// <summary>
    /// Brings the joined interface up with its addresses and static routes and, with <paramref name="defaultRoutes"/>,
    /// the default routes through the gateways its join offered.
    /// </summary>
    void ConfigureInterface(Sandbox sandbox, EndpointState endpoint, int? knownIndex, bool defaultRoutes);

    /// <summary>Points the sandbox's default routes at the gateways the endpoint's join offered (none offered: nothing).</summary>
    void SetDefaultRoutes(Sandbox sandbox, EndpointState endpoint, int? knownIndex = null);

    /// <summary>
    /// For a driver that made the interface on the host (<see cref="JoinInfo.SourceInterface"/>): moves it into the
    /// sandbox under the endpoint's interface name and returns its index there; null when there is nothing to move.
    /// </summary>
    int? MoveIntoSandbox(Sandbox sandbox, EndpointState endpoint, JoinInfo info);

    /// <summary>Undoes <see cref="MoveIntoSandbox"/> (before the driver's leave). Missing is not an error.</summary>
    void MoveOutOfSandbox(Sandbox sandbox, EndpointState endpoint);
}
