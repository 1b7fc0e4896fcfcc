using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Plexus.Engine.Model;

namespace Plexus.Engine.Controller;

public sealed partial class NetworkController
{
    /// <summary>
    /// Where the controller reports what it could not undo. Set once by whoever composes the engine, before
    /// it serves requests (the daemon builds its logging after the controller has restored); silent by default.
    /// </summary>
    public ILogger Logger { get; set; } = NullLogger.Instance;

    /// <summary>
    /// Runs one step of a rollback. A failure there must not hide the error that caused the rollback, so it is
    /// logged (with the step, as written at the call site) rather than thrown; restart reconciliation mops up.
    /// </summary>
    private void TryUndo(Action undo, [CallerArgumentExpression(nameof(undo))] string step = "")
    {
        try
        {
            undo();
        }
        catch (Exception e) when (e is Kernel.KernelException or PlexusException or IOException)
        {
            EngineLog.UndoFailed(Logger, step, e);
        }
    }
}
