using Plexus.Cli.Output;

namespace Plexus.Cli;

/// <summary>What a run of the CLI reads from its surroundings: the console and the environment.</summary>
internal sealed class CliContext
{
    public required ICliConsole Console { get; init; }

    /// <summary>Environment variables (PLEXUS_HOST, and values for `-e NAME` without "=VALUE").</summary>
    public required Func<string, string?> GetEnvironmentVariable { get; init; }

    /// <summary>Cancel on Ctrl-C / SIGTERM (the real process only; tests leave the process's signals alone).</summary>
    public bool HandleTermination { get; init; }

    /// <summary>Standard output is a terminal (not a pipe or a file): pictures then go to a file, not the screen.</summary>
    public bool OutputIsTerminal { get; init; }

    /// <summary>Where relative file names (-o FILE) are taken from.</summary>
    public string WorkingDirectory { get; init; } = Environment.CurrentDirectory;

    public static CliContext ForProcess() => new()
    {
        Console = TextCliConsole.ForProcess(),
        GetEnvironmentVariable = Environment.GetEnvironmentVariable,
        HandleTermination = true,
        OutputIsTerminal = !System.Console.IsOutputRedirected,
    };
}
