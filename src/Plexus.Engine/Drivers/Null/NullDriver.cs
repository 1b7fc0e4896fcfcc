namespace Plexus.Engine.Drivers.Null;

/// <summary>The "none" network: the sandbox keeps only its loopback interface.</summary>
public sealed class NullDriver : PassiveDriver
{
    public override string Name => "null";

    /// <summary>No addresses, and the sandbox on it joins nothing else (as Docker's "none").</summary>
    public static DriverCapabilities Declared { get; } = new() { ExclusiveSandbox = true, SingleNetwork = true };

    public override DriverCapabilities Capabilities => Declared;
}
