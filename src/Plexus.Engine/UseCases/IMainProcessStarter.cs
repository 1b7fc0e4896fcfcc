namespace Plexus.Engine.UseCases;

/// <summary>
/// Starts a sandbox's main process and keeps it reaped. The host process owns the children it starts (the
/// daemon's supervisor), so the use case asks it rather than starting processes itself.
/// </summary>
public interface IMainProcessStarter
{
    /// <exception cref="Model.PlexusException">The command cannot be started (not found, not executable, sandbox gone).</exception>
    void StartMain(string sandboxId, IReadOnlyList<string> command, IReadOnlyList<string> environment);
}
