using System.CommandLine;
using Plexus.Cli.Arguments;
using Plexus.Cli.Commands;
using Plexus.Cli.Output;

namespace Plexus.Cli.Tests.Support;

internal sealed record CliResult(int ExitCode, string Out, string Err);

/// <summary>Runs the CLI in process over text writers, as a user's shell would run `plexus ARGS`.</summary>
internal static class PlexusCli
{
    /// <param name="terminal">Run as if standard output were a terminal.</param>
    /// <param name="workingDirectory">The directory relative file names are taken from.</param>
    public static async Task<CliResult> RunAsync(string[] args, IReadOnlyDictionary<string, string>? environment = null, string? input = null,
        bool terminal = false, string? workingDirectory = null)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var context = new CliContext
        {
            Console = TextCliConsole.ForText(output, error, new StringReader(input ?? "")),
            GetEnvironmentVariable = name => environment is not null && environment.TryGetValue(name, out var value) ? value : null,
            OutputIsTerminal = terminal,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        int code = await CliApp.RunAsync(args, context);
        return new CliResult(code, output.ToString(), error.ToString());
    }

    /// <summary>Parses as `plexus ARGS` would, and returns the verb that would run.</summary>
    public static (T Command, ParseResult Parse) Parse<T>(params string[] args)
        where T : Command => Parse<T>(new Dictionary<string, string>(), args);

    public static (T Command, ParseResult Parse) Parse<T>(IReadOnlyDictionary<string, string> environment, params string[] args)
        where T : Command
    {
        var context = new CliContext
        {
            Console = TextCliConsole.ForText(new StringWriter(), new StringWriter()),
            GetEnvironmentVariable = name => environment.TryGetValue(name, out var value) ? value : null,
        };
        var root = new PlexusRootCommand(context);
        var parse = root.Parse(PassThroughArguments.Normalize(root, args), CliApp.Parser);
        Assert.Empty(parse.Errors.Select(e => e.Message));
        return (Assert.IsType<T>(parse.CommandResult.Command), parse);
    }
}
