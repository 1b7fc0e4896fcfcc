namespace Plexus.Engine.Drivers.Host;

/// <summary>
/// The "host" network: the sandbox shares the daemon's own network namespace, so there is nothing to
/// create. The controller gives such sandboxes the host's namespace and refuses other networks for them.
/// </summary>
public sealed class HostDriver : PassiveDriver
{
    public override string Name => "host";
}
