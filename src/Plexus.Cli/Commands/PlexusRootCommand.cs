using System.CommandLine;
using System.CommandLine.Help;
using Plexus.Client;

namespace Plexus.Cli.Commands;

/// <summary>`plexus`: the global -H/--host and every verb.</summary>
internal sealed class PlexusRootCommand : Command
{
    public PlexusRootCommand(CliContext context)
        : base("plexus", "A docker-like client of plexusd, the Plexus container network daemon")
    {
        var host = new Option<string?>("--host", "-H")
        {
            Description = $"Daemon socket to connect to, e.g. unix:///run/plexus/plexus.sock (default: ${DaemonHost.EnvironmentVariable}, else {DaemonHost.DefaultUri})",
            Recursive = true,
        };
        Options.Add(host);
        Options.Add(new HelpOption());
        Options.Add(new VersionOption("--version", "-v") { Action = new PrintVersionAction() });

        var services = new CommandServices(context, host);
        Subcommands.Add(new NetworkCommand(services));
        Subcommands.Add(new RunCommand(services));
        Subcommands.Add(new CreateCommand(services));
        Subcommands.Add(new ExecCommand(services));
        Subcommands.Add(new PsCommand(services));
        Subcommands.Add(new RemoveCommand(services));
        Subcommands.Add(new InspectCommand(services));
        Subcommands.Add(new PortCommand(services));
        Subcommands.Add(new LogsCommand(services));
        Subcommands.Add(new InfoCommand(services));
        Subcommands.Add(new VersionCommand(services));
        Subcommands.Add(new CompletionCommand(context, this));
        SetAction(parse => new HelpAction().Invoke(parse));
    }
}
