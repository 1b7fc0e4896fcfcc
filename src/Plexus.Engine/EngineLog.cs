using Microsoft.Extensions.Logging;

namespace Plexus.Engine;

/// <summary>
/// The engine's log messages, source-generated (no boxing, no parsing of the template at run time). One place,
/// so what the engine can say is read in one file and event ids stay unique.
/// </summary>
internal static partial class EngineLog
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "rollback step failed, left for restart reconciliation: {Step}")]
    public static partial void UndoFailed(ILogger logger, string step, Exception error);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "network {Name} created ({Id}, driver {Driver})")]
    public static partial void NetworkCreated(ILogger logger, string name, string id, string driver);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "network {Name} removed ({Id})")]
    public static partial void NetworkRemoved(ILogger logger, string name, string id);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Debug, Message = "sandbox {Sandbox} joined network {Network} ({Endpoint})")]
    public static partial void Connected(ILogger logger, string sandbox, string network, string endpoint);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Debug, Message = "sandbox {Sandbox} left network {Network} ({Endpoint})")]
    public static partial void Disconnected(ILogger logger, string sandbox, string network, string endpoint);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Debug, Message = "sandbox {Name} created ({Id})")]
    public static partial void SandboxCreated(ILogger logger, string name, string id);

    [LoggerMessage(EventId = 1106, Level = LogLevel.Debug, Message = "sandbox {Name} removed ({Id})")]
    public static partial void SandboxRemoved(ILogger logger, string name, string id);

    [LoggerMessage(EventId = 1107, Level = LogLevel.Debug, Message = "sandbox {Name}: main process started")]
    public static partial void ProcessStarted(ILogger logger, string name);

    [LoggerMessage(EventId = 1108, Level = LogLevel.Debug, Message = "sandbox {Name}: main process exited with {ExitCode}")]
    public static partial void ProcessExited(ILogger logger, string name, int exitCode);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Information, Message = "sandbox {Name} not created: {Reason}; rolling back what was made")]
    public static partial void SandboxRunFailed(ILogger logger, string name, string reason);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Information, Message = "kernel features probed: {Missing} missing of {Total}")]
    public static partial void FeaturesProbed(ILogger logger, int missing, int total);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Warning, Message = "kernel features could not be probed: {Reason}")]
    public static partial void FeatureProbeFailed(ILogger logger, string reason);
}
