using System.CommandLine;
using System.CommandLine.Invocation;
using Plexus.Cli.Arguments;
using Plexus.Cli.Commands;

namespace Plexus.Cli;

/// <summary>One run of `plexus`: parse, report a wrong command line with exit code 125, else run the verb.</summary>
internal static class CliApp
{
    /// <summary>No @file expansion: `plexus exec web echo @x` must pass "@x" on, as docker does.</summary>
    internal static readonly ParserConfiguration Parser = new() { ResponseFileTokenReplacer = null };

    public static async Task<int> RunAsync(IReadOnlyList<string> args, CliContext context, CancellationToken cancellationToken = default)
    {
        var root = new PlexusRootCommand(context);
        var parse = root.Parse(PassThroughArguments.Normalize(root, args), Parser);
        if (parse.Action is ParseErrorAction)
        {
            Usage.Report(context.Console, parse, string.Join(" ", parse.Errors.Select(e => e.Message)));
            return ExitCodes.Usage;
        }
        var invocation = new InvocationConfiguration
        {
            Output = context.Console.Out,
            Error = context.Console.Error,
            // Ctrl-C is handled (a clean exit code) only by the verbs that wait on something open-ended: the
            // signal registration costs every other, short command start-up time, and the default ends them.
            ProcessTerminationTimeout = context.HandleTermination && parse.CommandResult.Command is IWaitingCommand ? TimeSpan.FromSeconds(2) : null,
        };
        try
        {
            return await parse.InvokeAsync(invocation, cancellationToken);
        }
        finally
        {
            // Synchronous: the console streams' async writes would hop to the thread pool.
            context.Console.Out.Flush();
        }
    }
}
