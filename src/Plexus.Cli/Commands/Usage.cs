using System.CommandLine;
using System.CommandLine.Parsing;
using Plexus.Cli.Output;

namespace Plexus.Cli.Commands;

/// <summary>How a wrong command line is reported: what was wrong, then docker's pointer to --help.</summary>
internal static class Usage
{
    public static void Report(ICliConsole console, ParseResult parse, string message)
    {
        var path = CommandPath(parse);
        console.Error.WriteLine($"{path}: {message}");
        console.Error.WriteLine($"See '{path} --help'.");
    }

    /// <summary>"plexus network create": the names from the root to the command that was parsed.</summary>
    public static string CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        for (SymbolResult? r = parse.CommandResult; r is not null; r = r.Parent)
            if (r is CommandResult c) names.Add(c.Command.Name);
        names.Reverse();
        return string.Join(' ', names);
    }
}
