using Plexus.Engine.Drivers;
using Plexus.Engine.Model;

namespace Plexus.Engine.Controller;

/// <summary>
/// Which sandboxes may join which networks, decided by the drivers' capabilities alone (never their names):
/// a network whose driver needs the host's namespace takes only sandboxes in it, and they join nothing else;
/// a network whose driver needs the sandbox to itself (null) is its only network. Pure: unit-tested.
/// </summary>
public static class JoinRules
{
    /// <summary>Throws a clear InvalidArgument error when <paramref name="sandboxName"/> may not join <paramref name="network"/>.</summary>
    /// <param name="joined">The networks the sandbox is joined to now, with their drivers' capabilities.</param>
    public static void Check(NetworkState network, DriverCapabilities capabilities, string sandboxName, bool hostNamespace,
        IReadOnlyCollection<(NetworkState Network, DriverCapabilities Capabilities)> joined)
    {
        if (capabilities.HostNamespace && !hostNamespace)
            throw PlexusException.Invalid($"sandbox {sandboxName} has its own network namespace and cannot join the host network {network.Name}");
        if (hostNamespace && !capabilities.HostNamespace)
            throw PlexusException.Invalid($"sandbox {sandboxName} shares the host's network namespace and cannot join network {network.Name}");
        if ((capabilities.ExclusiveSandbox || capabilities.HostNamespace) && joined.Count > 0)
            throw PlexusException.Invalid($"sandbox {sandboxName} is connected to other networks and cannot also join network {network.Name}");
        foreach (var (other, otherCapabilities) in joined)
        {
            if (otherCapabilities.ExclusiveSandbox || otherCapabilities.HostNamespace)
                throw PlexusException.Invalid($"sandbox {sandboxName} is on the {other.Driver} network and cannot also join network {network.Name}");
        }
    }
}
