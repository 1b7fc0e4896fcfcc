namespace Plexus.Cli.Arguments;

/// <summary>A command whose trailing arguments are a command line of their own (run's CMD, exec's CMD).</summary>
internal interface IPassThroughCommand
{
    /// <summary>How many of the command's own arguments come before the passed-through command line (exec: NAME).</summary>
    int LeadingArguments { get; }
}
