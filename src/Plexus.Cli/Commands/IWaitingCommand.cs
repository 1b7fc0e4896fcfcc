namespace Plexus.Cli.Commands;

/// <summary>
/// A verb that may wait for as long as something else runs (exec's command, logs -f), so Ctrl-C and SIGTERM
/// cancel it cleanly with exit code 130 instead of ending the process where it stands.
/// </summary>
internal interface IWaitingCommand;
