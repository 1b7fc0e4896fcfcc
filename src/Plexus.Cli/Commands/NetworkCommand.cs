using System.CommandLine;
using System.CommandLine.Help;

namespace Plexus.Cli.Commands;

/// <summary>`plexus network`: the docker network verbs; alone, prints its help.</summary>
internal sealed class NetworkCommand : Command
{
    public NetworkCommand(CommandServices services)
        : base("network", "Manage networks")
    {
        Subcommands.Add(new NetworkCreateCommand(services));
        Subcommands.Add(new NetworkListCommand(services));
        Subcommands.Add(new NetworkInspectCommand(services));
        Subcommands.Add(new NetworkRemoveCommand(services));
        Subcommands.Add(new NetworkConnectCommand(services));
        Subcommands.Add(new NetworkDisconnectCommand(services));
        Subcommands.Add(new NetworkPruneCommand(services));
        Subcommands.Add(new NetworkGraphCommand(services));
        SetAction(parse => new HelpAction().Invoke(parse));
    }
}
