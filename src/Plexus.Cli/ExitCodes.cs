namespace Plexus.Cli;

/// <summary>What `plexus` exits with; docker's numbers where docker has one.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The daemon refused or failed the request, or could not be reached.</summary>
    public const int Failure = 1;

    /// <summary>Ctrl-C.</summary>
    public const int Interrupted = 130;

    /// <summary>The command line itself was wrong: an unknown flag, a missing argument, a bad value (docker's 125).</summary>
    public const int Usage = 125;
}
