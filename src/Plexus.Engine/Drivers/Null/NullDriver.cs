namespace Plexus.Engine.Drivers.Null;

/// <summary>The "none" network: the sandbox keeps only its loopback interface.</summary>
public sealed class NullDriver : PassiveDriver
{
    public override string Name => "null";
}
