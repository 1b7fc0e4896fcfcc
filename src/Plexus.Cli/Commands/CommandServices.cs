using System.CommandLine;
using Plexus.Client;
using Plexus.Cli.Output;

namespace Plexus.Cli.Commands;

/// <summary>What every command gets: the console, the environment, and a client for the daemon -H names.</summary>
internal sealed class CommandServices(CliContext context, Option<string?> hostOption)
{
    public ICliConsole Console => context.Console;

    public string? GetEnvironmentVariable(string name) => context.GetEnvironmentVariable(name);

    public bool OutputIsTerminal => context.OutputIsTerminal;

    /// <summary>A file name as the user meant it: relative to the working directory.</summary>
    public string ResolvePath(string path) => Path.GetFullPath(path, context.WorkingDirectory);

    /// <exception cref="UsageException">-H (or PLEXUS_HOST) is not an address a daemon listens on.</exception>
    public DaemonHost Host(ParseResult parse)
    {
        try
        {
            return DaemonHost.Resolve(parse.GetValue(hostOption), context.GetEnvironmentVariable(DaemonHost.EnvironmentVariable));
        }
        catch (FormatException e)
        {
            throw new UsageException(e.Message, e);
        }
    }

    public DaemonClient Connect(ParseResult parse) => new(Host(parse));
}
