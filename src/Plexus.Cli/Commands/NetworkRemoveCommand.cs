using System.CommandLine;
using Plexus.Client;

namespace Plexus.Cli.Commands;

/// <summary>`plexus network rm NET...`: DELETE each; prints each removed name, and goes on past failures.</summary>
internal sealed class NetworkRemoveCommand : PlexusCommand
{
    private readonly Argument<string[]> _networks = new("NETWORK") { Description = "Names or ids of networks", Arity = ArgumentArity.OneOrMore };
    private readonly Option<bool> _force = Opt.Flag("--force", "Do not error if a network does not exist", "-f");

    public NetworkRemoveCommand(CommandServices services)
        : base("rm", "Remove one or more networks", services)
    {
        Aliases.Add("remove");
        Arguments.Add(_networks);
        Options.Add(_force);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        bool force = parse.GetValue(_force);
        using var client = Services.Connect(parse);
        int status = ExitCodes.Success;
        foreach (var name in parse.GetValue(_networks) ?? [])
        {
            try
            {
                await client.RemoveNetworkAsync(name, cancellationToken);
                Console.Out.WriteLine(name);
            }
            catch (DaemonException e) when (force && e.IsNotFound)
            {
                // --force: a network that is already gone is what was asked for
            }
            catch (DaemonException e)
            {
                Console.Error.WriteLine(DaemonError(e));
                status = ExitCodes.Failure;
            }
        }
        return status;
    }
}
