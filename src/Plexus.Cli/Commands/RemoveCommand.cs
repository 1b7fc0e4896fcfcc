using System.CommandLine;
using Plexus.Client;

namespace Plexus.Cli.Commands;

/// <summary>`plexus rm [-f] NAME...`: DELETE /plexus/sandboxes/{id}; -f also kills a running process.</summary>
internal sealed class RemoveCommand : PlexusCommand
{
    private readonly Argument<string[]> _sandboxes = new("SANDBOX") { Description = "Names or ids of sandboxes", Arity = ArgumentArity.OneOrMore };
    private readonly Option<bool> _force = Opt.Flag("--force", "Force the removal of a running sandbox (kills its process)", "-f");

    public RemoveCommand(CommandServices services)
        : base("rm", "Remove one or more sandboxes", services)
    {
        Arguments.Add(_sandboxes);
        Options.Add(_force);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        bool force = parse.GetValue(_force);
        using var client = Services.Connect(parse);
        int status = ExitCodes.Success;
        foreach (var name in parse.GetValue(_sandboxes) ?? [])
        {
            try
            {
                await client.RemoveSandboxAsync(name, force, cancellationToken);
                Console.Out.WriteLine(name);
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
