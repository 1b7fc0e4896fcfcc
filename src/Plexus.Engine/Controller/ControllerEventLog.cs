using Microsoft.Extensions.Logging;

namespace Plexus.Engine.Controller;

/// <summary>
/// Logs every change the controller commits, from its event stream: the controller says what it did once
/// (<see cref="ControllerEvents"/>), and the log is one more subscriber rather than calls spread over it.
/// Networks are logged at Information, the many per-container changes at Debug.
/// </summary>
public static class ControllerEventLog
{
    /// <summary>Starts logging <paramref name="events"/> to <paramref name="logger"/>; dispose the result to stop.</summary>
    public static IDisposable Attach(ControllerEvents events, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(logger);
        return events.Follow(change => Log(logger, change)); // in order, outside the hub's lock
    }

    private static void Log(ILogger logger, ControllerEvent change)
    {
        switch (change.Kind)
        {
            case ControllerEventKind.NetworkCreated when change.Network is { } n:
                EngineLog.NetworkCreated(logger, n.Name, n.Id, n.Driver);
                break;
            case ControllerEventKind.NetworkRemoved when change.Network is { } n:
                EngineLog.NetworkRemoved(logger, n.Name, n.Id);
                break;
            case ControllerEventKind.Connected when change is { Network: { } n, Endpoint: { } e, Sandbox: { } s }:
                EngineLog.Connected(logger, s.Name, n.Name, e.Id);
                break;
            case ControllerEventKind.Disconnected when change is { Network: { } n, Endpoint: { } e, Sandbox: { } s }:
                EngineLog.Disconnected(logger, s.Name, n.Name, e.Id);
                break;
            case ControllerEventKind.SandboxCreated when change.Sandbox is { } s:
                EngineLog.SandboxCreated(logger, s.Name, s.Id);
                break;
            case ControllerEventKind.SandboxRemoved when change.Sandbox is { } s:
                EngineLog.SandboxRemoved(logger, s.Name, s.Id);
                break;
            case ControllerEventKind.ProcessStarted when change.Sandbox is { } s:
                EngineLog.ProcessStarted(logger, s.Name);
                break;
            case ControllerEventKind.ProcessExited when change.Sandbox is { } s:
                EngineLog.ProcessExited(logger, s.Name, change.ExitCode);
                break;
            default:
                break;
        }
    }
}
