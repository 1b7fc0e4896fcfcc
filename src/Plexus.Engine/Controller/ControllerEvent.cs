using Plexus.Engine.Model;

namespace Plexus.Engine.Controller;

/// <summary>What changed, in the controller's words; the API names them as Docker does.</summary>
public enum ControllerEventKind : byte
{
    NetworkCreated,
    NetworkRemoved,

    /// <summary>An endpoint joined a sandbox (`network connect`).</summary>
    Connected,

    /// <summary>An endpoint left a sandbox (`network disconnect`).</summary>
    Disconnected,

    SandboxCreated,
    SandboxRemoved,

    /// <summary>The sandbox's main process started.</summary>
    ProcessStarted,

    /// <summary>The sandbox's main process ended; <see cref="ControllerEvent.ExitCode"/> says how.</summary>
    ProcessExited,
}

/// <summary>
/// One committed change. A value type holding references to the immutable records the change produced,
/// so publishing one allocates nothing.
/// </summary>
public readonly record struct ControllerEvent
{
    public ControllerEventKind Kind { get; init; }

    /// <summary>When it was published: nanoseconds since the Unix epoch, UTC.</summary>
    public long TimeNanoseconds { get; init; }

    public NetworkState? Network { get; init; }
    public EndpointState? Endpoint { get; init; }
    public SandboxState? Sandbox { get; init; }
    public int ExitCode { get; init; }

    public static ControllerEvent NetworkCreated(NetworkState network) => new() { Kind = ControllerEventKind.NetworkCreated, Network = network };

    public static ControllerEvent NetworkRemoved(NetworkState network) => new() { Kind = ControllerEventKind.NetworkRemoved, Network = network };

    public static ControllerEvent Connected(NetworkState network, EndpointState endpoint, SandboxState sandbox) =>
        new() { Kind = ControllerEventKind.Connected, Network = network, Endpoint = endpoint, Sandbox = sandbox };

    public static ControllerEvent Disconnected(NetworkState network, EndpointState endpoint, SandboxState sandbox) =>
        new() { Kind = ControllerEventKind.Disconnected, Network = network, Endpoint = endpoint, Sandbox = sandbox };

    public static ControllerEvent SandboxCreated(SandboxState sandbox) => new() { Kind = ControllerEventKind.SandboxCreated, Sandbox = sandbox };

    public static ControllerEvent SandboxRemoved(SandboxState sandbox) => new() { Kind = ControllerEventKind.SandboxRemoved, Sandbox = sandbox };

    public static ControllerEvent ProcessStarted(SandboxState sandbox) => new() { Kind = ControllerEventKind.ProcessStarted, Sandbox = sandbox };

    public static ControllerEvent ProcessExited(SandboxState sandbox, int exitCode) =>
        new() { Kind = ControllerEventKind.ProcessExited, Sandbox = sandbox, ExitCode = exitCode };
}
