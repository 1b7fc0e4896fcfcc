namespace Plexus.Engine.Drivers.Host;

/// <summary>
/// The "host" network: the sandbox shares the daemon's own network namespace, so there is nothing to
/// create. The controller gives such sandboxes the host's namespace and refuses other networks for them.
/// </summary>
public sealed class HostDriver : PassiveDriver
{
    public override string Name => "host";

    /// <summary>No addresses; only sandboxes in the host's namespace join it, and they join nothing else.</summary>
    public static DriverCapabilities Declared { get; } = new() { ExclusiveSandbox = true, HostNamespace = true, SingleNetwork = true };

    public override DriverCapabilities Capabilities => Declared;
}
