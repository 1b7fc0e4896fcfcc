using System.CommandLine;
using Plexus.Cli.Arguments;

namespace Plexus.Cli.Commands;

/// <summary>`plexus network prune [-f]`: asks first unless -f, then POST /networks/prune and lists what went.</summary>
internal sealed class NetworkPruneCommand : PlexusCommand
{
    internal const string Warning = "WARNING! This will remove all custom networks not used by at least one sandbox.\nAre you sure you want to continue?";

    private readonly Option<bool> _force = Opt.Flag("--force", "Do not prompt for confirmation", "-f");
    private readonly Option<string[]> _filter = Opt.Repeatable("--filter", "KEY=VALUE filter: label=K, label=K=V (repeatable)");

    public NetworkPruneCommand(CommandServices services)
        : base("prune", "Remove all unused networks", services)
    {
        Options.Add(_force);
        Options.Add(_filter);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var filters = KeyValues.Filters(parse.Values(_filter));
        if (!parse.GetValue(_force) && !Console.Confirm(Warning)) return ExitCodes.Success;
        using var client = Services.Connect(parse);
        var result = await client.PruneNetworksAsync(filters, cancellationToken);
        if (result.NetworksDeleted is { Count: > 0 } deleted)
        {
            Console.Out.WriteLine("Deleted Networks:");
            foreach (var name in deleted) Console.Out.WriteLine(name);
        }
        return ExitCodes.Success;
    }
}
